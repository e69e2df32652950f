#!/bin/sh
# t-package.sh - the project as others install it: the Debian package
# (dpkg-buildpackage -b -us -uc on a copy of the tree: binary, man page,
# bash completion, themes), `make distcheck` (the tarball builds, installs
# and uninstalls cleanly, and a test from it passes), one version from
# configure.ac, and the pre-commit hooks run by Debian's real pre-commit.
#
# Builds are -O0 and the package's own test run is off (nocheck): this
# suite is the test run.
. "$SLUICE_SRC/tests/lib.sh"

for tool in dpkg-buildpackage dh pre-commit autoreconf; do
	if ! command -v $tool >/dev/null 2>&1; then
		not_ok "$tool is installed (./dev test installs debhelper, dpkg-dev, pre-commit)"
		finish
	fi
done

# The tree as CI's clean clone has it (tracked files plus new, not ignored).
# One copy each for the package, distcheck and pre-commit: a package build
# configures in the source tree, which a VPATH configure then refuses.
for d in src dist hooks; do
	mkdir $d
	(cd "$SLUICE_SRC" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$T/$d" 2>/dev/null)
done
check "copy of the source tree has configure.ac and debian/" test -f src/configure.ac -a -f src/debian/control
# pre-commit's try-repo reads a git repository.
(cd hooks && git init -q && git add -A && git commit -q -m tree)

want=$(sed -n 's/^AC_INIT(\[sluice\], \[\([^]]*\)\].*/\1/p' src/configure.ac)
deb=$(sed -n '1s/^sluice (\([^)]*\)).*/\1/p' src/debian/changelog)
expect_eq "debian/changelog's version is configure.ac's" "$deb" "$want"
got=$("$SLUICE" --version | sed 's/ (git .*//')
expect_eq "sluice --version prints configure.ac's version" "$got" "sluice $want"

# --- the Debian package ---------------------------------------------------
(cd src && DEB_BUILD_OPTIONS="nocheck noopt parallel=2" \
	dpkg-buildpackage -b -us -uc >"$T/deb.log" 2>&1)
rc=$?
expect_eq "dpkg-buildpackage -b -us -uc succeeds" "$rc" 0
[ "$rc" = 0 ] || diag "$(tail -30 "$T/deb.log")"
debfile=$(ls sluice_"$want"_*.deb 2>/dev/null | head -1)
check "it builds sluice_${want}_<arch>.deb" test -n "$debfile"
if [ -n "$debfile" ]; then
	list=$(dpkg-deb -c "$debfile")
	expect_contains "the package holds the binary" "$list" "./usr/bin/sluice"
	expect_contains "the package holds the man page" "$list" "./usr/share/man/man1/sluice.1.gz"
	expect_contains "the package holds the bash completion" "$list" "./usr/share/bash-completion/completions/sluice"
	expect_contains "the package holds the example theme" "$list" "./usr/share/sluice/themes/solarized-dark.theme"
	expect_eq "the package's version" "$(dpkg-deb -f "$debfile" Version)" "$want"
	dpkg-deb -x "$debfile" root
	got=$(root/usr/bin/sluice --version)
	expect_eq "the packaged binary runs and has no git describe (built from the package)" "$got" "sluice $want"
	printf 'CREATE INDEX i ON t (a);\n' >one.sql
	root/usr/bin/sluice check --format json one.sql >one.json 2>/dev/null
	expect_eq "the packaged binary judges (exit 1 on a HIGH finding)" "$?" 1
fi

# --- make distcheck ---------------------------------------------------------
(cd dist && autoreconf -fi && mkdir b && cd b && ../configure -q CFLAGS=-O0 &&
	TESTS="t-completion.sh" make -s distcheck DISTCHECK_CONFIGURE_FLAGS="CFLAGS=-O0") >"$T/dist.log" 2>&1
rc=$?
expect_eq "make distcheck passes" "$rc" 0
[ "$rc" = 0 ] || diag "$(grep -v "^ *\(/usr/bin|( cd\)" "$T/dist.log" | tail -25)"
check "it leaves sluice-$want.tar.gz" test -f "dist/b/sluice-$want.tar.gz"

# --- pre-commit --------------------------------------------------------------
mkdir bin && ln -s "$SLUICE" bin/sluice
new_repo app
mkdir -p app/migrations
printf 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\n' >app/migrations/001_t.up.sql
printf 'DROP TABLE t;\n' >app/migrations/001_t.down.sql
commit_all app "t"
printf 'CREATE INDEX CONCURRENTLY t_a ON t (a);\n' >app/migrations/002_a.up.sql
printf 'DROP INDEX CONCURRENTLY t_a;\n' >app/migrations/002_a.down.sql
git -C app add -A
(cd app && PATH="$T/bin:$PATH" PRE_COMMIT_HOME="$T/pc" pre-commit try-repo "$T/hooks" sluice --all-files) >pc-ok.log 2>&1
expect_eq "pre-commit: a safe staged migration passes the sluice hook" "$?" 0
diag "$(tail -3 pc-ok.log)"
printf 'CREATE INDEX t_b ON t (a);\n' >app/migrations/003_b.up.sql
printf 'DROP INDEX t_b;\n' >app/migrations/003_b.down.sql
git -C app add -A
(cd app && PATH="$T/bin:$PATH" PRE_COMMIT_HOME="$T/pc" pre-commit try-repo "$T/hooks" sluice --all-files) >pc-bad.log 2>&1
expect_eq "pre-commit: a blocking index build fails the hook" "$?" 1
expect_contains "pre-commit: the hook's output names the rule and file" "$(cat pc-bad.log)" "create-index-nonconcurrent"
(cd app && PATH="$T/bin:$PATH" PRE_COMMIT_HOME="$T/pc" pre-commit try-repo "$T/hooks" sluice-files --files migrations/003_b.up.sql) >pc-files.log 2>&1
expect_eq "pre-commit: sluice-files judges the named staged file" "$?" 1
finish
