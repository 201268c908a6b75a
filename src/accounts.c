/*-------------------------------------------------------------------------
 *
 * accounts.c
 *	  Entry point of the accounts area: sign-up, sign-in, revocation,
 *	  lockout.
 *
 * src/accounts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth_ext.h"

void
auth_accounts_init(void)
{
}

/* Placeholder until the accounts area lands: nothing is revoked yet. */
void
auth_revocation_check(Jsonb *claims)
{
}
