/*
 * dynlib.h - a shared library opened the first time one of its functions
 * is called.
 *
 * libpq and libcurl, with what they pull in (OpenSSL, GnuTLS, LDAP,
 * Kerberos: 30 libraries, 8,000 symbols to bind), took two thirds of the
 * time every sluice process spent starting, ~19 ms of CPU, though most runs
 * (`sluice check`) never talk to a database or a model. So sluice is not
 * linked with them: core/db/pq_shim.c and llm/curl_shim.c define each function
 * sluice calls, and the first call opens the library (dlopen) and looks the
 * function up. When the library is missing, the message names it and sluice
 * exits 2, as for any other broken installation.
 */
#ifndef SLUICE_DYNLIB_H
#define SLUICE_DYNLIB_H

#include <pthread.h>

struct dynlib {
	const char *soname;      /* "libpq.so.5" */
	const char *package;     /* the Debian package that has it, for the message */
	/*
	 * Run once, just after the library is opened and before any of its
	 * functions is handed out (libgit2 must be initialised before its
	 * first call); NULL for none. It looks up what it needs with dlsym().
	 */
	void (*on_open)(void *handle);
	void *handle;            /* set once on_open has returned */
	pthread_mutex_t lock;
};
#define DYNLIB_INIT(soname, package) DYNLIB_INIT_HOOK(soname, package, NULL)
#define DYNLIB_INIT_HOOK(soname, package, on_open) \
	{ soname, package, on_open, NULL, PTHREAD_MUTEX_INITIALIZER }

/*
 * The address of `name` in lib, opened when needed, kept in *cache (any
 * thread may ask); dies naming both when missing.
 */
void *dynlib_sym(struct dynlib *lib, void **cache, const char *name);

/* Whether lib was opened: whether anything of it may need undoing. */
int dynlib_is_open(struct dynlib *lib);

/*
 * Defines `ret name params`, calling through to the library's function
 * with `args`; DYNLIB_VOID for those returning nothing.
 */
#define DYNLIB_FN(lib, ret, name, params, args)                                      \
	ret name params                                                               \
	{                                                                             \
		static void *cache;                                                   \
		void *p = dynlib_sym(&(lib), &cache, #name);                          \
		ret(*f) params;                                                       \
		memcpy(&f, &p, sizeof(f));                                            \
		return f args;                                                        \
	}
#define DYNLIB_VOID(lib, name, params, args)                                         \
	void name params                                                              \
	{                                                                             \
		static void *cache;                                                   \
		void *p = dynlib_sym(&(lib), &cache, #name);                          \
		void(*f) params;                                                      \
		memcpy(&f, &p, sizeof(f));                                            \
		f args;                                                               \
	}

#endif
