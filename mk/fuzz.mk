# The libFuzzer targets: fuzz/fuzz-judge.c (a migration through the judge)
# and fuzz/fuzz-settings.c (a committed .sluice through the settings reader).
# They need clang, and the engine compiled with the fuzzer's coverage
# instrumentation, so they are not built from libsluice.a: the rule compiles
# the engine's sources together with the target in one command, with
# -fsanitize=fuzzer,address,undefined.
#
#   make fuzz/fuzz-judge fuzz/fuzz-settings   any configuration, CC must be clang
#   ./configure --enable-fuzz      builds them with `make` as well
#   ./dev fuzz [judge|settings]    builds and runs one (FUZZ_SECONDS, default 600)
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS = fuzz/fuzz-judge fuzz/fuzz-settings
EXTRA_DIST += fuzz/fuzz-judge.c fuzz/fuzz-settings.c
CLEANFILES += $(FUZZ_TARGETS)

if ENABLE_FUZZ
noinst_DATA = $(FUZZ_TARGETS)
endif

# One recipe for every target: the engine's sources plus fuzz/<target>.c.
FUZZ_LINK = @mkdir -p fuzz; \
	srcs=; for f in $(libsluice_a_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(srcdir)/$$f" ;; esac; \
	done; \
	echo "  CCLD     $@"; \
	$(CC) $(DEFS) -I. $(AM_CPPFLAGS) $(CPPFLAGS) -std=c11 $(WARN_CFLAGS) $(FUZZ_FLAGS) \
	  -o $@ $(srcdir)/$@.c $$srcs \
	  $(PGQUERY_LIBS) $(CJSON_LIBS) $(CURL_LIBS) $(PQ_LIBS) $(LIBS)

fuzz/fuzz-judge: $(srcdir)/fuzz/fuzz-judge.c $(libsluice_a_SOURCES) config.h
	$(FUZZ_LINK)
fuzz/fuzz-settings: $(srcdir)/fuzz/fuzz-settings.c $(libsluice_a_SOURCES) config.h
	$(FUZZ_LINK)

fuzz: $(FUZZ_TARGETS)

# The targets against the engine's headers, with any compiler and no
# fuzzer: tests/t-fuzz-regress.sh runs it, so that a change to the engine's
# interface cannot leave them uncompilable unseen (it did once).
fuzz-syntax:
	$(CC) $(DEFS) -I. $(AM_CPPFLAGS) $(CPPFLAGS) -std=c11 $(WARN_CFLAGS) \
	  -Werror=implicit-function-declaration -fsyntax-only \
	  $(srcdir)/fuzz/fuzz-judge.c $(srcdir)/fuzz/fuzz-settings.c
.PHONY: fuzz fuzz-syntax
