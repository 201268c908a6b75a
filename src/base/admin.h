/*-------------------------------------------------------------------------
 *
 * admin.h
 *	  Who may administer auth_ext (src/base/admin.c).
 *
 * src/base/admin.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_ADMIN_H
#define AUTH_ADMIN_H

/*
 * Raises 42501 unless the current role has the privileges of the owner of
 * the extension auth_ext (pg_has_role(current_user, extowner, 'USAGE')).
 * "action" completes "permission denied to ...", e.g. "sign tokens".
 */
extern void auth_require_admin(const char *action);

/* The same test as a boolean (superusers, and roles with the owner's privileges). */
extern bool auth_caller_has_owner_privileges(void);

/* Owner of the extension auth_ext (read once per transaction), or InvalidOid. */
extern Oid	auth_extension_owner(void);

#endif							/* AUTH_ADMIN_H */
