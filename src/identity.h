/*-------------------------------------------------------------------------
 *
 * identity.h
 *	  Private declarations of the identity area (identity*.c).
 *
 * src/identity.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IDENTITY_H
#define IDENTITY_H

/* identity_request.c: registers the identity.* admin settings */
extern void auth_identity_request_init(void);

#endif							/* IDENTITY_H */
