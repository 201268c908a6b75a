/*-------------------------------------------------------------------------
 *
 * admin.c
 *	  The administrator check of auth_ext: a privileged function (signing
 *	  with the keyring, key management, configuration) runs only for a role
 *	  that has the privileges of the extension's owner.
 *
 * EXECUTE grants alone are not enough: GRANT EXECUTE ON ALL FUNCTIONS IN
 * SCHEMA auth TO app_role is common in tutorials and would hand an
 * application role the keyring.  So every privileged function checks its
 * caller inside.  The caller is current_user (GetUserId()): under
 * PostgREST's SET ROLE it is the request's role, not the login role
 * (session_user) that may well be the database owner; and inside one of our
 * SECURITY DEFINER account functions it is that function's owner (the
 * extension owner), which is exactly who may sign the token of a sign-in.
 * Superusers pass (has_privs_of_role() is true for them).
 *
 * auth_caller_has_owner_privileges() is the same test as a boolean, for
 * work whose cost the caller chooses (password hashing parameters, see
 * password.c): everybody else is held to tighter caps.  While the extension
 * is being created its pg_extension row does not exist yet, and only a
 * superuser counts as the owner.
 *
 * src/base/admin.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "admin.h"

/*
 * The owner is read from pg_extension once per transaction (jwt_sign may be
 * called for every row of a query) and forgotten at its end.
 */
static Oid	cached_owner = InvalidOid;
static bool callback_registered = false;

static void
forget_owner(XactEvent event, void *arg)
{
	cached_owner = InvalidOid;
}

/* Owner of the extension auth_ext, or InvalidOid while it does not exist. */
static Oid
read_extension_owner(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("auth_ext"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

Oid
auth_extension_owner(void)
{
	if (!callback_registered)
	{
		RegisterXactCallback(forget_owner, NULL);
		callback_registered = true;
	}
	if (!OidIsValid(cached_owner))
		cached_owner = read_extension_owner();
	return cached_owner;
}

bool
auth_caller_has_owner_privileges(void)
{
	Oid			owner;

	if (superuser())
		return true;
	owner = auth_extension_owner();
	return OidIsValid(owner) && has_privs_of_role(GetUserId(), owner);
}

void
auth_require_admin(const char *action)
{
	Oid			owner;

	if (auth_caller_has_owner_privileges())
		return;
	owner = auth_extension_owner();
	if (!OidIsValid(owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", action),
				 errdetail("Extension auth_ext is not installed yet; only a superuser may %s.", action)));
	else
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", action),
				 errdetail("Only roles with the privileges of the owner of extension auth_ext (%s) may %s; the current role is %s.",
						   GetUserNameFromId(owner, false), action,
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Call it as the extension owner, or GRANT the owner role to the administrator; an EXECUTE grant is not enough.")));
}

/*
 * SQL function: auth._require_admin(action text) returns void
 *
 * The same check for the PL/pgSQL administration functions, which are
 * SECURITY INVOKER so that current_user is their caller.
 */
PG_FUNCTION_INFO_V1(auth_require_admin_sql);
Datum
auth_require_admin_sql(PG_FUNCTION_ARGS)
{
	auth_require_admin(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}
