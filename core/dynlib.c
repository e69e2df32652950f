/*
 * dynlib.c - opening a library when first used (see dynlib.h).
 */
#include "dynlib.h"
#include "util.h"

#include <dlfcn.h>

void *dynlib_sym(struct dynlib *lib, void **cache, const char *name)
{
	void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	if (sym)
		return sym;
	pthread_mutex_lock(&lib->lock);
	if (!lib->handle && !(lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL)))
		die("cannot load %s (%s): install the Debian package '%s'", lib->soname,
		    dlerror(), lib->package);
	sym = dlsym(lib->handle, name);
	pthread_mutex_unlock(&lib->lock);
	if (!sym)
		die("%s has no function %s: a library older than sluice was built for",
		    lib->soname, name);
	__atomic_store_n(cache, sym, __ATOMIC_RELEASE);
	return sym;
}
