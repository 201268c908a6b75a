/*-------------------------------------------------------------------------
 *
 * revocation.c
 *	  auth_revocation_check(): is a verified token revoked?
 *
 * Table auth.revocations holds three kinds of rows under one text key:
 * "jti:<jti>" for a token that was signed out, "sid:<sid>" for a session
 * that ended (every token carrying that sid claim is revoked; sessions are
 * src/sql/42_sessions.sql), and "sub:<sub>" with not_before for a user who
 * signed out everywhere (every token of the user with iat <= not_before is
 * revoked).  All are found by ONE scan of the primary-key index with the
 * array key  key = ANY('{jti:..., sid:..., sub:...}'),
 * the way the executor runs an indexed "= ANY" (btree's array keys): no
 * SPI, no plan, no permission check (application roles cannot read the
 * table; this code runs on their behalf inside jwt_verify).
 *
 * It only reads, with a fresh MVCC snapshot, so it works in READ ONLY
 * transactions and on hot standbys, and a revocation committed by another
 * session counts from that moment on, in every isolation level.
 *
 * Repeated checks of one token skip even that probe: a small per-backend
 * table remembers the claims found NOT revoked, and is emptied whenever
 * auth.revocations changes anywhere (its statement trigger
 * auth._invalidate_cache() sends a relcache invalidation at commit, also
 * replayed on standbys; each check first accepts pending invalidations, as
 * taking a lock would).  Claims are compared in full, never by hash alone.
 * And while auth.revocations is empty (tested once per change, with the same
 * fresh snapshot), no token is probed at all.
 * Memory bound: CHECKED_SLOTS entries of at most CHECKED_MAX_BYTES bytes
 * of claims (larger claims are simply not remembered).
 *
 * src/tokens/revocation.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "auth_ext.h"
#include "pg_compat.h"

#define REVOCATIONS_TABLE "revocations"
#define REVOCATIONS_INDEX "revocations_pkey"

/* Longer jti/sub values are keyed by their SHA-256 (see claim_key()). */
#define REVOCATION_KEY_MAX 200

/* Attribute numbers of auth.revocations. */
#define Anum_key		1
#define Anum_not_before	2

/* Claims known not to be revoked, until auth.revocations changes. */
#define CHECKED_SLOTS		64
#define CHECKED_MAX_BYTES	1024

typedef struct CheckedClaims
{
	uint64		generation;		/* valid when equal to checked_generation */
	uint32		hash;
	uint32		len;
	char		bytes[CHECKED_MAX_BYTES];
} CheckedClaims;

static CheckedClaims *checked = NULL;	/* in TopMemoryContext */
static uint64 checked_generation = 1;

/*
 * The generation under which auth.revocations was found empty (no row
 * visible to a snapshot taken after accepting invalidations), and the one
 * under which that was last tested: while nothing changes, a table with
 * nothing revoked needs no probe.  Tested at most once per generation.
 */
static uint64 empty_generation = 0;
static uint64 empty_tested_generation = 0;

/* auth.revocations and its primary key, resolved once per backend. */
static Oid	revocations_relid = InvalidOid;
static Oid	revocations_indexid = InvalidOid;
/* The table whose invalidations concern us; unlike the above, never reset. */
static Oid	watched_relid = InvalidOid;
static bool callback_registered = false;

static void
revocations_changed(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == watched_relid)
	{
		checked_generation++;
		revocations_relid = InvalidOid;
		revocations_indexid = InvalidOid;
	}
}

/*
 * Finds auth.revocations and its primary key; false when they do not exist
 * (yet).  The OIDs are returned in locals: catalog lookups and lock
 * acquisitions may process invalidations, and revocations_changed() then
 * resets the statics at any moment.
 */
static bool
resolve_revocations(Oid *relid, Oid *indexid)
{
	Oid			nsp;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(revocations_changed, (Datum) 0);
		callback_registered = true;
	}
	*relid = revocations_relid;
	*indexid = revocations_indexid;
	if (OidIsValid(*relid) && OidIsValid(*indexid))
		return true;
	nsp = get_namespace_oid(AUTH_SCHEMA, true);
	if (!OidIsValid(nsp))
		return false;
	*relid = get_relname_relid(REVOCATIONS_TABLE, nsp);
	*indexid = get_relname_relid(REVOCATIONS_INDEX, nsp);
	if (!OidIsValid(*relid) || !OidIsValid(*indexid))
		return false;
	watched_relid = *relid;
	revocations_relid = *relid;
	revocations_indexid = *indexid;
	return true;
}

/* The slot for these claims, or NULL when they are too large to keep. */
static CheckedClaims *
checked_slot(Jsonb *claims, uint32 *hash)
{
	uint32		len = VARSIZE_ANY_EXHDR(claims);

	if (len > CHECKED_MAX_BYTES)
		return NULL;
	if (checked == NULL)
		checked = MemoryContextAllocZero(TopMemoryContext, sizeof(CheckedClaims) * CHECKED_SLOTS);
	*hash = hash_bytes((const unsigned char *) VARDATA_ANY(claims), len);
	return &checked[*hash % CHECKED_SLOTS];
}

/*
 * The key of a claim in auth.revocations: prefix || value, or, for a value
 * longer than REVOCATION_KEY_MAX bytes (which could exceed the btree's row
 * limit), prefix || 'sha256:' || hex digest of the value, as
 * auth._revocation_key() computes it in SQL.  NULL when the claim is absent
 * or not a string.
 */
static text *
claim_key(Jsonb *claims, const char *name, const char *prefix)
{
	JsonbValue	v;
	StringInfoData buf;

	if (getKeyJsonValueFromContainer(&claims->root, name, strlen(name), &v) == NULL ||
		v.type != jbvString)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, prefix);
	if (v.val.string.len <= REVOCATION_KEY_MAX)
		appendBinaryStringInfo(&buf, v.val.string.val, v.val.string.len);
	else
	{
		unsigned char md[SHA256_DIGEST_LENGTH];

		if (EVP_Digest(v.val.string.val, v.val.string.len, md, NULL, EVP_sha256(), NULL) != 1)
			elog(ERROR, "EVP_Digest(SHA-256) failed");
		appendStringInfoString(&buf, "sha256:");
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			appendStringInfo(&buf, "%02x", md[i]);
	}
	return cstring_to_text_with_len(buf.data, buf.len);
}

/*
 * True when the token's iat is at or before not_before, or unknown (a
 * token that cannot show it was issued later is treated as revoked).
 */
static bool
issued_by(Jsonb *claims, int64 not_before)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(&claims->root, "iat", 3, &v) == NULL ||
		v.type != jbvNumeric)
		return true;
	return DatumGetBool(DirectFunctionCall2(numeric_le,
											NumericGetDatum(v.val.numeric),
											NumericGetDatum(int64_to_numeric(not_before))));
}

static void
report_revoked(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_AUTH_INVALID_TOKEN),
			 errmsg("Token has been revoked, please log in again"),
			 errdetail_internal("%s", why)));
}

void
auth_revocation_check(Jsonb *claims)
{
	text	   *jti;
	text	   *sid;
	text	   *sub;
	Datum		keys[3];
	int			nkeys = 0;
	ArrayType  *array;
	Relation	rel;
	Relation	index;
	Oid			relid;
	Oid			indexid;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData skey;
	const char *revoked = NULL;
	Snapshot	snapshot;
	CheckedClaims *entry;
	uint32		hash = 0;
	uint32		len;
	uint64		generation;
	bool		parallel = IsInParallelMode();

	if (claims == NULL)
		return;
	/* Revocations committed elsewhere empty the table of checked claims. */
	AcceptInvalidationMessages();
	/* Not there (yet): during CREATE EXTENSION, nothing can be revoked. */
	if (!resolve_revocations(&relid, &indexid))
		return;
	generation = checked_generation;

	/* nothing revoked at all (the common case): no need to hash the claims */
	if (empty_generation == generation)
		return;

	len = VARSIZE_ANY_EXHDR(claims);
	entry = checked_slot(claims, &hash);
	if (entry && entry->generation == generation && entry->hash == hash &&
		entry->len == len && memcmp(entry->bytes, VARDATA_ANY(claims), len) == 0)
		return;

	jti = claim_key(claims, "jti", "jti:");
	sid = claim_key(claims, "sid", "sid:");
	sub = claim_key(claims, "sub", "sub:");
	if (jti)
		keys[nkeys++] = PointerGetDatum(jti);
	if (sid)
		keys[nkeys++] = PointerGetDatum(sid);
	if (sub)
		keys[nkeys++] = PointerGetDatum(sub);
	if (nkeys == 0)
		return;
	array = construct_array(keys, nkeys, TEXTOID, -1, false, TYPALIGN_INT);

	rel = table_open(relid, AccessShareLock);
	index = index_open(indexid, AccessShareLock);

	ScanKeyEntryInitialize(&skey, SK_SEARCHARRAY, 1, BTEqualStrategyNumber,
						   TEXTOID, index->rd_indcollation[0], F_TEXTEQ,
						   PointerGetDatum(array));
	/*
	 * A snapshot taken now, after accepting invalidations, like the catalog
	 * caches do: a revocation sends its invalidation only once it is
	 * visible, so this snapshot sees every revocation whose invalidation
	 * was accepted above, and a later one empties the table of checked
	 * claims before the next check.  (Also stricter than the statement's
	 * snapshot: a revocation counts at once, even inside REPEATABLE READ.)
	 */
	/*
	 * Parallel mode forbids a new snapshot (a parallel worker verifying its
	 * request's token, see identity.c): read with the query's there, and
	 * remember nothing that snapshot found.
	 */
	if (parallel)
		snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() :
									GetTransactionSnapshot());
	else
		snapshot = RegisterSnapshot(GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	if (!parallel && empty_tested_generation != generation)
	{
		/* once per generation: is anything revoked at all? */
		scan = auth_index_beginscan(rel, index, snapshot, 0, 0);
		index_rescan(scan, NULL, 0, NULL, 0);
		if (!index_getnext_slot(scan, ForwardScanDirection, slot))
			empty_generation = generation;
		index_endscan(scan);
		empty_tested_generation = generation;
	}
	scan = auth_index_beginscan(rel, index, snapshot, 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);

	while (revoked == NULL && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		text	   *key = DatumGetTextPP(slot_getattr(slot, Anum_key, &isnull));
		Datum		not_before = slot_getattr(slot, Anum_not_before, &isnull);

		if (strncmp(VARDATA_ANY(key), "jti:", 4) == 0)
			revoked = "The token was signed out.";
		else if (strncmp(VARDATA_ANY(key), "sid:", 4) == 0)
			revoked = "The session of the token has ended.";
		else if (!isnull && issued_by(claims, DatumGetInt64(not_before)))
			revoked = "Every token of this user issued before the sign-out everywhere was revoked.";
	}

	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	UnregisterSnapshot(snapshot);
	index_close(index, AccessShareLock);
	table_close(rel, AccessShareLock);

	if (revoked)
		report_revoked(revoked);

	if (entry && !parallel)
	{
		entry->generation = generation;
		entry->hash = hash;
		entry->len = len;
		memcpy(entry->bytes, VARDATA_ANY(claims), len);
	}
}

/*
 * auth_revocation_check() for callers that remember the generation of the
 * last check of the same claims (the verified-token cache: see auth_ext.h).
 * The generation is read before probing: a change seen meanwhile makes the
 * remembered value stale at once.
 */
void
auth_revocation_check_remembered(Jsonb *claims, uint64 *checked_gen)
{
	Oid			relid;
	Oid			indexid;
	uint64		generation;

	if (claims == NULL)
		return;
	AcceptInvalidationMessages();
	if (!resolve_revocations(&relid, &indexid))
		return;
	generation = checked_generation;
	if (*checked_gen == generation)
		return;
	auth_revocation_check(claims);
	if (!IsInParallelMode())
		*checked_gen = generation;
}
