/*
 * pq_shim.c - the libpq functions sluice calls, from libpq.so.5 opened on
 * first use (core/dynlib.h says why). A function sluice starts to call is
 * added here; the link fails until it is.
 */
#include "dynlib.h"

#include <libpq-fe.h>
#include <string.h>

static struct dynlib libpq = DYNLIB_INIT("libpq.so.5", "libpq5");

DYNLIB_FN(libpq, PGconn *, PQconnectdbParams,
	  (const char *const *keywords, const char *const *values, int expand_dbname),
	  (keywords, values, expand_dbname))
DYNLIB_FN(libpq, PGPing, PQping, (const char *conninfo), (conninfo))
DYNLIB_FN(libpq, ConnStatusType, PQstatus, (const PGconn *conn), (conn))
DYNLIB_FN(libpq, char *, PQerrorMessage, (const PGconn *conn), (conn))
DYNLIB_FN(libpq, int, PQserverVersion, (const PGconn *conn), (conn))
DYNLIB_FN(libpq, int, PQbackendPID, (const PGconn *conn), (conn))
DYNLIB_VOID(libpq, PQfinish, (PGconn *conn), (conn))
DYNLIB_FN(libpq, PQnoticeProcessor, PQsetNoticeProcessor,
	  (PGconn *conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg))
DYNLIB_FN(libpq, PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg),
	  (conninfo, errmsg))
DYNLIB_VOID(libpq, PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))
DYNLIB_VOID(libpq, PQfreemem, (void *ptr), (ptr))
DYNLIB_FN(libpq, PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query))
DYNLIB_FN(libpq, PGresult *, PQexecParams,
	  (PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
	   const char *const *paramValues, const int *paramLengths, const int *paramFormats,
	   int resultFormat),
	  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
	   resultFormat))
DYNLIB_FN(libpq, int, PQsendQueryParams,
	  (PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
	   const char *const *paramValues, const int *paramLengths, const int *paramFormats,
	   int resultFormat),
	  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
	   resultFormat))
DYNLIB_FN(libpq, int, PQconsumeInput, (PGconn *conn), (conn))
DYNLIB_FN(libpq, int, PQisBusy, (PGconn *conn), (conn))
DYNLIB_FN(libpq, PGresult *, PQgetResult, (PGconn *conn), (conn))
DYNLIB_FN(libpq, ExecStatusType, PQresultStatus, (const PGresult *res), (res))
DYNLIB_FN(libpq, char *, PQresultErrorMessage, (const PGresult *res), (res))
DYNLIB_FN(libpq, char *, PQresultErrorField, (const PGresult *res, int fieldcode),
	  (res, fieldcode))
DYNLIB_FN(libpq, int, PQntuples, (const PGresult *res), (res))
DYNLIB_FN(libpq, char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num),
	  (res, tup_num, field_num))
DYNLIB_FN(libpq, int, PQgetisnull, (const PGresult *res, int tup_num, int field_num),
	  (res, tup_num, field_num))
DYNLIB_VOID(libpq, PQclear, (PGresult *res), (res))
