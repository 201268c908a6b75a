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

/* identity_request.c: registers the identity.* admin settings */
extern void auth_identity_request_init(void);

/* identity_request.c: the identity from request.headers / request.cookies */
extern void auth_identity_from_request(bool this_xact_only);
extern bool auth_identity_from_request_enabled(void);

#endif							/* IDENTITY_H */
