/*-------------------------------------------------------------------------
 *
 * password.c
 *	  Entry point of the password area: password hashing and verification.
 *
 * src/password.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth_ext.h"

void
auth_password_init(void)
{
}
