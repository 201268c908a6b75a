/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  Every difference between the PostgreSQL majors auth_ext builds
 *	  against (15, 16, 17, 18), behind one small macro each, so that the
 *	  rest of the source is written once.  A new major's change goes here,
 *	  keyed on PG_VERSION_NUM, never as an #if in another file.
 *
 *	  AUTH_MY_LXID               this backend's local transaction id
 *	                             (PGPROC.lxid, 17: PGPROC.vxid.lxid)
 *	  pg_noreturn                18's leading noreturn specifier (older
 *	                             majors: pg_attribute_noreturn(), which
 *	                             18 removed)
 *	  auth_index_beginscan()     index_beginscan without 18's
 *	                             instrumentation argument
 *	  AUTH_JSON_CB, AUTH_JSON_CB_OK
 *	                             return type and success value of a JSON
 *	                             parser callback (void before 16)
 *	  auth_json_lexer()          a lexer over a string (17 added a
 *	                             caller-supplied context argument)
 *	  auth_guc_malloc(), auth_guc_free()
 *	                             memory handed to, or taken back from, the
 *	                             setting machinery: a setting's "extra" is
 *	                             freed by guc.c with free() up to 15 and
 *	                             with guc_free() (a pfree in its own memory
 *	                             context) from 16 on, so it must come from
 *	                             malloc() or guc_malloc() to match
 *	  auth_guc_record()          a setting's guc_tables.h record by name
 *	                             (16 exported find_option(); 15 keeps it
 *	                             static, so it is looked up in the sorted
 *	                             array get_guc_variables() returns)
 *
 * src/base/pg_compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_PG_COMPAT_H
#define AUTH_PG_COMPAT_H

#include "utils/guc.h"
#include "utils/guc_tables.h"

#if PG_VERSION_NUM < 150000
#error "auth_ext needs PostgreSQL 15 or later"
#endif

/* ---- 17: PGPROC's local transaction id moved into PGPROC.vxid ---- */
#if PG_VERSION_NUM >= 170000
#define AUTH_MY_LXID (MyProc->vxid.lxid)
#else
#define AUTH_MY_LXID (MyProc->lxid)
#endif

/* ---- 18: pg_noreturn (leading) replaced pg_attribute_noreturn() ---- */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/* ---- 18: index_beginscan() takes an IndexScanInstrumentation ---- */
#if PG_VERSION_NUM >= 180000
#define auth_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define auth_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/* ---- 16: JSON parser callbacks return a JsonParseErrorType ---- */
#if PG_VERSION_NUM >= 160000
#define AUTH_JSON_CB JsonParseErrorType
#define AUTH_JSON_CB_OK JSON_SUCCESS
#else
#define AUTH_JSON_CB void
#define AUTH_JSON_CB_OK
#endif

/* ---- 17: makeJsonLexContextCstringLen() takes the lexer to fill ---- */
#if PG_VERSION_NUM >= 170000
#define auth_json_lexer(json, len) \
	makeJsonLexContextCstringLen(NULL, (json), (len), PG_UTF8, true)
#else
#define auth_json_lexer(json, len) \
	makeJsonLexContextCstringLen((json), (len), PG_UTF8, true)
#endif

/* ---- 16: guc.c owns settings' memory (guc_malloc/guc_free) ---- */
#if PG_VERSION_NUM >= 160000
#define auth_guc_malloc(size) guc_malloc(LOG, (size))
#define auth_guc_free(ptr) guc_free(ptr)
#else
#define auth_guc_malloc(size) malloc(size)
#define auth_guc_free(ptr) free(ptr)
#endif

/* ---- 16: find_option() exported ---- */
#if PG_VERSION_NUM >= 160000
#define auth_guc_record(name) find_option((name), false, true, ERROR)
#else
/* guc.c's guc_name_compare (static there): the order of its sorted array */
static inline int
auth_guc_name_cmp(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		char		ca = *a;
		char		cb = *b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return (unsigned char) ca - (unsigned char) cb;
		if (ca == '\0')
			return 0;
	}
}

static inline struct config_generic *
auth_guc_record(const char *name)
{
	struct config_generic **vars = get_guc_variables();
	int			lo = 0;
	int			hi = GetNumConfigOptions() - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = auth_guc_name_cmp(name, vars[mid]->name);

		if (c == 0)
			return vars[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}
#endif

#endif							/* AUTH_PG_COMPAT_H */
