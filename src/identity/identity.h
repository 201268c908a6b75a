/*-------------------------------------------------------------------------
 *
 * identity.h
 *	  Private declarations of the identity area (identity*.c).
 *
 * src/identity/identity.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IDENTITY_H
#define IDENTITY_H

/*
 * identity.c: what the readers call, once per transaction, while nothing has
 * set the identity: identity_request.c registers the resolution from the
 * request (identity.from_request) at _PG_init.  A hook, so that the identity
 * setting (below everything that verifies a token) does not call up into the
 * verification that sets it.
 */
typedef void (*AuthIdentityResolver) (void);
extern void auth_identity_set_resolver(AuthIdentityResolver resolver);

#endif							/* IDENTITY_H */
