/*-------------------------------------------------------------------------
 *
 * issuers.h
 *	  Trusted issuers (issuers.c): what auth.jwt_verify() (jwt.c) calls for
 *	  a token whose "iss" names an issuer trusted with auth.trust_issuer().
 *
 * src/issuers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_ISSUERS_H
#define AUTH_ISSUERS_H

#include "jws_parse.h"
#include "tokens.h"

typedef struct TrustedIssuer TrustedIssuer;

extern void issuers_init(void);
extern uint64 issuers_generation(void);
extern const TrustedIssuer *issuer_for_claims(Jsonb *claims);
extern void issuer_verify(const TrustedIssuer *is, const char *token, ParsedJws *p);
extern void issuer_check_claims(const TrustedIssuer *is, Jsonb *claims, const JwtTimes *t);
extern void issuer_set_identity(const TrustedIssuer *is, Jsonb *claims, const char *text);

#endif							/* AUTH_ISSUERS_H */
