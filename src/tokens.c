/*-------------------------------------------------------------------------
 *
 * tokens.c
 *	  Entry point of the tokens area: JWS/JWT signing and verification.
 *
 * src/tokens.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth_ext.h"

void
auth_tokens_init(void)
{
}
