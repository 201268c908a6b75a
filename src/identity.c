/*-------------------------------------------------------------------------
 *
 * identity.c
 *	  Entry point of the identity area: the identity of the current
 *	  transaction.
 *
 * src/identity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth_ext.h"

void
auth_identity_init(void)
{
}

/* Placeholder until the identity area lands: keeps no identity. */
void
auth_identity_set(Jsonb *claims)
{
}
