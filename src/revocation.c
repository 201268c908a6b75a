/*-------------------------------------------------------------------------
 *
 * revocation.c
 *	  auth_revocation_check(): is a verified token revoked?
 *
 * Table auth.revocations holds two kinds of rows under one text key:
 * "jti:<jti>" for a token that was signed out, and "sub:<sub>" with
 * not_before for a user who signed out everywhere (every token of the user
 * with iat <= not_before is revoked).  Both are found by ONE scan of the
 * primary-key index with the array key  key = ANY('{jti:..., sub:...}'),
 * the way the executor runs an indexed "= ANY" (btree's array keys): no
 * SPI, no plan, no permission check (application roles cannot read the
 * table; this code runs on their behalf inside jwt_verify).
 *
 * It only reads, with the active snapshot, so it works in READ ONLY
 * transactions and on hot standbys.  A revocation committed by another
 * session is seen by the next statement that starts after it (READ
 * COMMITTED) or the next transaction (REPEATABLE READ).
 *
 * src/revocation.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "auth_ext.h"

#define REVOCATIONS_TABLE "revocations"
#define REVOCATIONS_INDEX "revocations_pkey"

/* Attribute numbers of auth.revocations. */
#define Anum_key		1
#define Anum_not_before	2

/* The string value of a claim, or NULL when absent or not a string. */
static text *
claim_string(Jsonb *claims, const char *name, const char *prefix)
{
	JsonbValue	v;
	StringInfoData buf;

	if (getKeyJsonValueFromContainer(&claims->root, name, strlen(name), &v) == NULL ||
		v.type != jbvString)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, prefix);
	appendBinaryStringInfo(&buf, v.val.string.val, v.val.string.len);
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
	Oid			nsp;
	Oid			relid;
	Oid			indexid;
	text	   *jti;
	text	   *sub;
	Datum		keys[2];
	int			nkeys = 0;
	ArrayType  *array;
	Relation	rel;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData skey;
	const char *revoked = NULL;
	bool		pushed;

	if (claims == NULL)
		return;
	nsp = get_namespace_oid(AUTH_SCHEMA, true);
	if (!OidIsValid(nsp))
		return;
	relid = get_relname_relid(REVOCATIONS_TABLE, nsp);
	indexid = get_relname_relid(REVOCATIONS_INDEX, nsp);
	/* Not there (yet): during CREATE EXTENSION, nothing can be revoked. */
	if (!OidIsValid(relid) || !OidIsValid(indexid))
		return;

	jti = claim_string(claims, "jti", "jti:");
	sub = claim_string(claims, "sub", "sub:");
	if (jti)
		keys[nkeys++] = PointerGetDatum(jti);
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
	/* jwt_verify runs inside a query, which has one; C callers may not. */
	pushed = !ActiveSnapshotSet();
	if (pushed)
		PushActiveSnapshot(GetTransactionSnapshot());
	scan = index_beginscan(rel, index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	slot = table_slot_create(rel, NULL);

	while (revoked == NULL && index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		text	   *key = DatumGetTextPP(slot_getattr(slot, Anum_key, &isnull));
		Datum		not_before = slot_getattr(slot, Anum_not_before, &isnull);

		if (strncmp(VARDATA_ANY(key), "jti:", 4) == 0)
			revoked = "The token was signed out.";
		else if (!isnull && issued_by(claims, DatumGetInt64(not_before)))
			revoked = "Every token of this user issued before the sign-out everywhere was revoked.";
	}

	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	if (pushed)
		PopActiveSnapshot();
	index_close(index, AccessShareLock);
	table_close(rel, AccessShareLock);

	if (revoked)
		report_revoked(revoked);
}
