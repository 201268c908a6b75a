/*-------------------------------------------------------------------------
 *
 * linking.h
 *	  External identities linked to local users (src/identity/linking.c): what
 *	  issuers.c asks for every verified token of a trusted issuer.
 *
 * src/identity/linking.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_LINKING_H
#define AUTH_LINKING_H

#include "utils/jsonb.h"
#include "utils/uuid.h"

extern void links_init(void);

/*
 * The local user (auth.users.id, into *user_id) that the subject of issuer
 * is linked to in auth.identities; false when none.  With provision, an
 * unlinked subject is linked to a new local user first, where the
 * transaction can write (not on a hot standby, in a read-only transaction
 * or in parallel mode: there it stays unlinked).
 */
extern bool auth_link_local_user(const char *issuer, const char *subject,
								 int subject_len, Jsonb *claims, bool provision,
								 pg_uuid_t *user_id);

#endif							/* AUTH_LINKING_H */
