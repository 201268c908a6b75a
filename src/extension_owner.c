/*-------------------------------------------------------------------------
 *
 * extension_owner.c
 *	  auth_caller_has_owner_privileges(): does the current user have the
 *	  privileges of the role that owns the auth_ext extension?
 *
 * The extension's owner (pg_extension.extowner: the role that ran CREATE
 * EXTENSION, the database owner on managed Postgres) administers auth_ext.
 * Work whose cost the caller chooses (password hashing parameters, see
 * password.c) is bounded more tightly for everybody else.  The current
 * user is GetUserId(): inside one of our SECURITY DEFINER functions that is
 * the function's owner, so sign-in and sign-up keep the owner's limits.
 *
 * The owner is read from pg_extension on every call (no cache: REASSIGN
 * OWNED can change it); callers ask only when a request exceeds what
 * everybody may have.  While the extension is being created the row does
 * not exist yet, and only a superuser counts as the owner.
 *
 * src/extension_owner.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "auth_ext.h"

/* The owner of extension auth_ext, or InvalidOid when it does not exist. */
static Oid
extension_owner(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			owner = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("auth_ext"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

bool
auth_caller_has_owner_privileges(void)
{
	Oid			owner;

	if (superuser())
		return true;
	owner = extension_owner();
	return OidIsValid(owner) && has_privs_of_role(GetUserId(), owner);
}
