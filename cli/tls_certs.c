/*
 * tls_certs.c - libgit2's start-up without the system's CA certificates or OpenSSL's engines.
 *
 * Debian's libgit2 1.5 uses mbedTLS, and git_libgit2_init() parses every
 * certificate of /etc/ssl/certs/ca-certificates.crt (some 140, base64 and
 * X.509) for HTTPS remotes: about 55 million instructions, a quarter of
 * `sluice check` on a directory of 250 migrations, paid by every run.
 * sluice never talks to a remote through libgit2 (it reads local
 * repositories; HTTP for models goes through libcurl and OpenSSL), so the
 * program defines the one function libgit2 loads them with: the dynamic
 * linker binds libgit2's call to this definition first. Loading nothing is
 * the safe side: were libgit2 ever asked for HTTPS, with no trusted
 * certificate it would refuse every server rather than trust one.
 *
 * A libgit2 built on OpenSSL never calls it; the symbol is then unused.
 *
 * libgit2 is opened when first used (core/discover/git_shim.c), not linked,
 * so the linker would not export these from the program for it to bind
 * to: mk/tui.mk names them (--export-dynamic-symbol), and
 * tests/t-git-lazy.sh checks that the certificates are never opened.
 */
#include <stddef.h>

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}

/*
 * libssh2_init() likewise: libgit2's start-up calls it for SSH remotes,
 * and it starts OpenSSL's engines, ~1 million instructions and a few
 * hundred pages of libcrypto touched by every run. sluice has no SSH
 * remote; libssh2 would initialise itself when a session opens.
 */
int libssh2_init(int flags);

int libssh2_init(int flags)
{
	(void)flags;
	return 0;
}
