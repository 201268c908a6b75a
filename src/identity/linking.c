/*-------------------------------------------------------------------------
 *
 * linking.c
 *	  External identities linked to local users (issue 15, item 3): for a
 *	  verified token of a trusted issuer, issuers.c asks here which local
 *	  user (auth.users.id) the issuer's subject is linked to in table
 *	  auth.identities, and, for an issuer trusted with "provision": true,
 *	  links an unknown subject to a new local user first.
 *
 * Reading.  auth.identities is probed through its primary key (issuer,
 * subject) the way table_read.c reads our other tables: with a fresh MVCC
 * snapshot, after taking the lock (which processes pending invalidations),
 * without permission checks (application roles may not read the table).
 * Answers, "linked to X" and "not linked" alike, are kept in a per-backend
 * hash table that any change of auth.identities drops whole: the statement
 * trigger auth._invalidate_cache() reaches every backend at commit (hot
 * standbys through WAL replay), and the changing backend at once, also on
 * rollback.  So no backend serves a link that was removed, or misses one
 * that was made, after the change committed.  An answer read while an
 * invalidation arrived (the generation moved) is used but not kept.
 *
 * Provisioning.  The first verified token of an unlinked subject of a
 * provisioning issuer, in a transaction that can write, calls the internal
 * function auth._provision_identity() through SPI with the rights of the
 * extension's owner (SetUserIdAndSecContext, as a SECURITY DEFINER function
 * of the owner would run, plus SECURITY_RESTRICTED_OPERATION): the caller
 * is an application role, which has no privilege on auth.users or
 * auth.identities and cannot call that function itself.  Its arguments are
 * the issuer, the subject and the verified claims only, so the caller
 * chooses nothing.  Two first requests at once: the function's INSERT ...
 * ON CONFLICT DO NOTHING makes one of them create the user and the other
 * wait for it and use it.  On a hot standby, in a read-only transaction
 * (PostgREST's GET requests) and in parallel mode nothing is written: the
 * token verifies as an unlinked one (auth.uid() NULL) until a transaction
 * that can write sees it.  docs/20_tokens.md, "Linking".
 *
 * src/identity/linking.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "admin.h"
#include "auth_ext.h"
#include "linking.h"

/*
 * Cache key: issuer, NUL, subject, zero padded (neither holds a NUL).  A
 * longer pair is probed every time; the cache is dropped when it is full.
 */
#define LINK_KEY_SIZE 256
#define LINK_CACHE_MAX 8192

typedef struct LinkEntry
{
	char		key[LINK_KEY_SIZE];
	bool		linked;
	pg_uuid_t	user_id;
} LinkEntry;

static HTAB *links = NULL;
static bool links_valid = false;
static uint64 generation = 1;

static void
links_reset(void)
{
	links_valid = false;
	generation++;
}

void
links_init(void)
{
	auth_watch_table("identities", links_reset);
}

/* A new, empty cache (under TopMemoryContext, as hash_create does). */
static void
links_clear(void)
{
	HASHCTL		ctl;

	if (links)
		hash_destroy(links);
	links = NULL;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = LINK_KEY_SIZE;
	ctl.entrysize = sizeof(LinkEntry);
	links = hash_create("auth_ext linked identities", 256, &ctl,
						HASH_ELEM | HASH_BLOBS);
	links_valid = true;
}

/*
 * Whether this transaction may write the new link (see the file header).
 * Not inside a security-restricted operation either (an index expression
 * or a materialized view's query evaluated by maintenance commands): a
 * reader called there must not write.
 */
static bool
links_can_provision(void)
{
	return !RecoveryInProgress() && !XactReadOnly && !IsInParallelMode() &&
		!InSecurityRestrictedOperation();
}

/* One probe of auth.identities' primary key; true and *out when linked. */
static bool
links_probe(const char *issuer, const char *subject, pg_uuid_t *out)
{
	static const char *const columns[3] = {"issuer", "subject", "user_id"};
	Oid			relid = auth_table_oid("identities");
	Oid			idxid = auth_table_oid("identities_pkey");
	int			att[3];
	Relation	rel;
	Relation	idx;
	Snapshot	snapshot;
	ScanKeyData key[2];
	volatile bool found = false;

	if (!OidIsValid(relid) || !OidIsValid(idxid))
		return false;			/* an extension older than 1.2 */
	rel = table_open(relid, AccessShareLock);
	idx = index_open(idxid, AccessShareLock);
	auth_table_columns(RelationGetDescr(rel), "identities", columns, 3, att);
	ScanKeyEntryInitialize(&key[0], 0, att[0] + 1, BTEqualStrategyNumber, InvalidOid,
						   idx->rd_indcollation[0], F_TEXTEQ, CStringGetTextDatum(issuer));
	ScanKeyEntryInitialize(&key[1], 0, att[1] + 1, BTEqualStrategyNumber, InvalidOid,
						   idx->rd_indcollation[1], F_TEXTEQ, CStringGetTextDatum(subject));
	/* parallel mode forbids a new snapshot: the query's (nothing is kept) */
	if (IsInParallelMode())
		snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() :
									GetTransactionSnapshot());
	else
		snapshot = RegisterSnapshot(GetLatestSnapshot());
	PG_TRY();
	{
		SysScanDesc scan = systable_beginscan(rel, idxid, true, snapshot, 2, key);
		HeapTuple	tup = systable_getnext(scan);

		if (HeapTupleIsValid(tup))
		{
			bool		isnull;
			Datum		d = heap_getattr(tup, att[2] + 1, RelationGetDescr(rel), &isnull);

			if (!isnull)
			{
				memcpy(out, DatumGetUUIDP(d), sizeof(pg_uuid_t));
				found = true;
			}
		}
		systable_endscan(scan);
	}
	PG_FINALLY();
	{
		UnregisterSnapshot(snapshot);
		index_close(idx, AccessShareLock);
		table_close(rel, AccessShareLock);
	}
	PG_END_TRY();
	return found;
}

/*
 * Links subject to a new local user, or finds the user a concurrent first
 * request linked it to: auth._provision_identity() run as the extension's
 * owner (see the file header).  False only while the extension is not
 * installed.
 */
static bool
links_provision(const char *issuer, const char *subject, Jsonb *claims, pg_uuid_t *out)
{
	Oid			owner = auth_extension_owner();
	Oid			types[3] = {TEXTOID, TEXTOID, JSONBOID};
	Datum		values[3];
	Oid			save_user;
	int			save_sec;

	if (!OidIsValid(owner))
		return false;
	values[0] = CStringGetTextDatum(issuer);
	values[1] = CStringGetTextDatum(subject);
	values[2] = JsonbPGetDatum(claims);
	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		bool		isnull;
		Datum		d;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "auth_ext: SPI_connect failed");
		if (SPI_execute_with_args("SELECT auth._provision_identity($1, $2, $3)",
								  3, types, values, NULL, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "auth_ext: auth._provision_identity() returned no row");
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			elog(ERROR, "auth_ext: auth._provision_identity() returned NULL");
		memcpy(out, DatumGetUUIDP(d), sizeof(pg_uuid_t));
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	return true;
}

bool
auth_link_local_user(const char *issuer, const char *subject, int subject_len,
					 Jsonb *claims, bool provision, pg_uuid_t *user_id)
{
	Size		ilen = strlen(issuer);
	bool		cacheable = ilen + 1 + (Size) subject_len < LINK_KEY_SIZE;
	char		key[LINK_KEY_SIZE];
	char	   *subj = pnstrdup(subject, subject_len);
	uint64		gen;
	bool		found;
	LinkEntry  *e;

	AcceptInvalidationMessages();
	if (!links_valid)
		links_clear();
	gen = generation;
	if (cacheable)
	{
		memset(key, 0, sizeof(key));
		memcpy(key, issuer, ilen);
		memcpy(key + ilen + 1, subject, subject_len);
		e = (LinkEntry *) hash_search(links, key, HASH_FIND, NULL);
		if (e && e->linked)
		{
			*user_id = e->user_id;
			return true;
		}
		if (e && !(provision && links_can_provision()))
			return false;
	}
	found = links_probe(issuer, subj, user_id);
	if (!found && provision && links_can_provision())
	{
		/* not kept: the trigger's invalidation drops the cache anyway */
		return links_provision(issuer, subj, claims, user_id);
	}
	if (cacheable && gen == generation && links_valid && auth_table_scan_cacheable())
	{
		if (hash_get_num_entries(links) >= LINK_CACHE_MAX)
			links_clear();
		e = (LinkEntry *) hash_search(links, key, HASH_ENTER, NULL);
		e->linked = found;
		if (found)
			e->user_id = *user_id;
	}
	return found;
}
