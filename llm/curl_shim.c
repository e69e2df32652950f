/*
 * curl_shim.c - the libcurl functions sluice calls, from libcurl.so.4
 * opened on first use (core/dynlib.h says why). A function sluice starts
 * to call is added here; the link fails until it is.
 *
 * The setopt functions take one argument after the option, of the type the
 * option's number range says (curl.h's CURLOPTTYPE_*, which libcurl itself
 * reads it by): it is read and passed on as that type.
 */
#include "../core/dynlib.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <string.h>

static struct dynlib libcurl = DYNLIB_INIT("libcurl.so.4", "libcurl4");

DYNLIB_FN(libcurl, CURLcode, curl_global_init, (long flags), (flags))
DYNLIB_FN(libcurl, CURL *, curl_easy_init, (void), ())
DYNLIB_VOID(libcurl, curl_easy_cleanup, (CURL *curl), (curl))
DYNLIB_FN(libcurl, const char *, curl_easy_strerror, (CURLcode code), (code))
DYNLIB_FN(libcurl, struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data),
	  (list, data))
DYNLIB_VOID(libcurl, curl_slist_free_all, (struct curl_slist *list), (list))
DYNLIB_FN(libcurl, CURLM *, curl_multi_init, (void), ())
DYNLIB_FN(libcurl, CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi))
DYNLIB_FN(libcurl, CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *curl), (multi, curl))
DYNLIB_FN(libcurl, CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *curl),
	  (multi, curl))
DYNLIB_FN(libcurl, CURLMsg *, curl_multi_info_read, (CURLM *multi, int *msgs_in_queue),
	  (multi, msgs_in_queue))
DYNLIB_FN(libcurl, CURLMcode, curl_multi_socket_action,
	  (CURLM *multi, curl_socket_t s, int ev_bitmask, int *running_handles),
	  (multi, s, ev_bitmask, running_handles))

typedef void (*any_fn)(void);

/* fn(handle, option, the argument ap holds, read as the option's type says). */
#define CALL_SETOPT(fn, handle, option, ap)                                           \
	((option) < CURLOPTTYPE_OBJECTPOINT     ? fn(handle, option, va_arg(ap, long)) :   \
	 (option) < CURLOPTTYPE_FUNCTIONPOINT ? fn(handle, option, va_arg(ap, void *)) : \
	 (option) < CURLOPTTYPE_OFF_T         ? fn(handle, option, va_arg(ap, any_fn)) : \
	 (option) < CURLOPTTYPE_BLOB          ? fn(handle, option, va_arg(ap, curl_off_t)) : \
						fn(handle, option, va_arg(ap, void *)))

/*
 * A function of curl's taking (handle, selector, one argument of any type),
 * passing the argument on as READ(ap, selector) reads it.
 */
#define VARARG_FN(ret, name, handle_t, selector_t, READ)                                    \
	ret(name)(handle_t handle, selector_t selector, ...)                                 \
	{                                                                                    \
		static void *cache;                                                          \
		void *p = dynlib_sym(&libcurl, &cache, #name);                               \
		ret (*f)(handle_t, selector_t, ...);                                         \
		va_list ap;                                                                  \
		ret r;                                                                       \
		memcpy(&f, &p, sizeof(f));                                                   \
		va_start(ap, selector);                                                      \
		r = READ(f, handle, selector, ap);                                           \
		va_end(ap);                                                                  \
		return r;                                                                    \
	}

/* Every CURLINFO_* is answered through a pointer. */
#define CALL_GETINFO(fn, handle, info, ap) fn(handle, info, va_arg(ap, void *))

VARARG_FN(CURLcode, curl_easy_setopt, CURL *, CURLoption, CALL_SETOPT)
VARARG_FN(CURLMcode, curl_multi_setopt, CURLM *, CURLMoption, CALL_SETOPT)
VARARG_FN(CURLcode, curl_easy_getinfo, CURL *, CURLINFO, CALL_GETINFO)
