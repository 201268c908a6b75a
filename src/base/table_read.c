/*-------------------------------------------------------------------------
 *
 * table_read.c
 *	  Reading auth_ext's own tables from C, and invalidating the per-backend
 *	  caches built from them.
 *
 * Keys and settings are read the way the system caches read catalogs:
 * directly from the heap with a fresh MVCC snapshot, after taking the lock
 * (which processes pending invalidations), and without permission checks.
 * That way a cache loaded after an invalidation always sees the change that
 * caused it, even in a REPEATABLE READ transaction, and application roles
 * need no privilege on tables that hold private material.
 *
 * A table tells every backend that it changed through the statement-level
 * trigger auth._invalidate_cache(), which queues a relcache invalidation for
 * it.  PostgreSQL delivers that at commit to every backend (and replays it
 * on hot standbys), and at once to the changing backend itself, also on
 * rollback.
 *
 * src/base/table_read.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/xact.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "auth_ext.h"

#define MAX_WATCHES 8

typedef struct TableWatch
{
	const char *relname;
	Oid			relid;			/* last seen, InvalidOid if unknown */
	AuthCacheResetFn reset;
} TableWatch;

static TableWatch watches[MAX_WATCHES];
static int	nwatches = 0;
static bool callback_registered = false;

Oid
auth_table_oid(const char *relname)
{
	Oid			nsp = get_namespace_oid(AUTH_SCHEMA, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(relname, nsp);
}

static void
relcache_callback(Datum arg, Oid relid)
{
	for (int i = 0; i < nwatches; i++)
	{
		if (relid == InvalidOid || relid == watches[i].relid ||
			!OidIsValid(watches[i].relid))
			watches[i].reset();
	}
}

void
auth_watch_table(const char *relname, AuthCacheResetFn reset)
{
	if (nwatches >= MAX_WATCHES)
		elog(ERROR, "auth_ext: too many watched tables");
	watches[nwatches].relname = relname;
	watches[nwatches].relid = InvalidOid;
	watches[nwatches].reset = reset;
	nwatches++;
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		callback_registered = true;
	}
}

bool
auth_table_scan(const char *relname, AuthRowFn fn, void *arg)
{
	Oid			relid = auth_table_oid(relname);
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	HeapTuple	tuple;

	if (!OidIsValid(relid))
		return false;

	/* Locking first processes invalidations; the snapshot comes after. */
	rel = table_open(relid, AccessShareLock);
	for (int i = 0; i < nwatches; i++)
		if (strcmp(watches[i].relname, relname) == 0)
			watches[i].relid = relid;

	/*
	 * Parallel mode forbids taking a new snapshot: there (leader or worker)
	 * read with the query's, and auth_table_scan_cacheable() tells callers not
	 * to keep what they loaded.
	 */
	if (IsInParallelMode())
		snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() :
									GetTransactionSnapshot());
	else
		snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	PG_TRY();
	{
		while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
			fn(tuple, RelationGetDescr(rel), arg);
	}
	PG_FINALLY();
	{
		table_endscan(scan);
		UnregisterSnapshot(snapshot);
		table_close(rel, AccessShareLock);
	}
	PG_END_TRY();
	return true;
}

/*
 * Whether rows read by auth_table_scan() now may be kept in a cache: not in
 * parallel mode, where they were read with the query's snapshot rather than a
 * fresh one (settings.c keeps them only until parallel mode ends).
 */
bool
auth_table_scan_cacheable(void)
{
	return !IsInParallelMode();
}

/*
 * SQL function: auth._invalidate_cache() returns trigger
 *
 * Statement-level trigger on tables that back per-backend caches.
 */
PG_FUNCTION_INFO_V1(auth_invalidate_cache);
Datum
auth_invalidate_cache(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("auth._invalidate_cache() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/*
 * The attribute numbers (0-based) of the columns names[0..n-1] of a table
 * read by auth_table_scan(), into att; an error if one is missing.
 */
void
auth_table_columns(TupleDesc desc, const char *relname, const char *const *names,
				   int n, int *att)
{
	for (int c = 0; c < n; c++)
	{
		att[c] = -1;
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(desc, i);

			if (!a->attisdropped && strcmp(NameStr(a->attname), names[c]) == 0)
				att[c] = i;
		}
		if (att[c] < 0)
			elog(ERROR, "auth.%s has no column \"%s\"", relname, names[c]);
	}
}

/*
 * Runs fn(arg), which parses a row of a cached table into memory of cxt.
 * A row the extension owner wrote by hand that does not parse (22023) must
 * not stop every other row from working: its error becomes the WARNING
 * "auth_ext: ignoring unusable <what>" and the result false.  Only memory
 * is involved, so recovering here is safe; other errors are re-thrown.
 */
bool
auth_parse_or_skip(void (*fn) (void *), void *arg, MemoryContext cxt, const char *what)
{
	volatile bool ok = true;

	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(cxt);
		ed = CopyErrorData();
		if (ed->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(WARNING,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("auth_ext: ignoring unusable %s", what),
				 errdetail_internal("%s", ed->message)));
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * Loads a per-backend cache: a new memory context named name under
 * TopMemoryContext, stored in *cxt_slot (the caller's row state, so that fn
 * allocates there), then auth_table_scan(relname, fn, arg).  If the scan
 * fails, the context (with all rows parsed so far) is deleted.
 */
void
auth_table_load(const char *relname, const char *name, AuthRowFn fn, void *arg,
				MemoryContext *cxt_slot)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "auth_ext cache",
											  ALLOCSET_SMALL_SIZES);

	MemoryContextSetIdentifier(cxt, name);	/* name: a constant string */
	*cxt_slot = cxt;
	PG_TRY();
	{
		(void) auth_table_scan(relname, fn, arg);
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
}
