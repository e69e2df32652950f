/*
 * dynlib.c - opening a library when first used (see dynlib.h).
 */
#include "dynlib.h"
#include "util.h"

#include <dlfcn.h>

/*
 * Opens lib, lock held. The handle is published only after on_open, so a
 * thread that sees it (dynlib_is_open) sees an initialised library, and one
 * asking for a function waits on the lock meanwhile.
 */
static void dynlib_open(struct dynlib *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		die("cannot load %s (%s): install the Debian package '%s'", lib->soname,
		    dlerror(), lib->package);
	if (lib->on_open)
		lib->on_open(handle);
	__atomic_store_n(&lib->handle, handle, __ATOMIC_RELEASE);
}

void *dynlib_sym(struct dynlib *lib, void **cache, const char *name)
{
	void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	if (sym)
		return sym;
	pthread_mutex_lock(&lib->lock);
	if (!lib->handle)
		dynlib_open(lib);
	sym = dlsym(lib->handle, name);
	pthread_mutex_unlock(&lib->lock);
	if (!sym)
		die("%s has no function %s: a library older than sluice was built for",
		    lib->soname, name);
	__atomic_store_n(cache, sym, __ATOMIC_RELEASE);
	return sym;
}

int dynlib_is_open(struct dynlib *lib)
{
	return __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE) != NULL;
}
