/*-------------------------------------------------------------------------
 *
 * issuers.h
 *	  Trusted issuers: their parsed form (issuers_check.c parses it) and
 *	  what auth.jwt_verify() (jwt.c) calls for a token whose "iss" names an
 *	  issuer trusted with auth.trust_issuer() (issuers.c).
 *
 * src/identity/issuers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_ISSUERS_H
#define AUTH_ISSUERS_H

#include "tokens/jws_parse.h"
#include "tokens/tokens.h"

#define ISSUER_ALGS_ASYMMETRIC (((1u << JWS_NUM_ALGS) - 1) & ~((1u << JWS_HS256) | (1u << JWS_HS384) | (1u << JWS_HS512)))
#define ISSUER_ALGS_RSA ((1u << JWS_RS256) | (1u << JWS_RS384) | (1u << JWS_RS512) | \
				  (1u << JWS_PS256) | (1u << JWS_PS384) | (1u << JWS_PS512))
#define ISSUER_MAX_PATH 16

typedef struct IssuerKey
{
	char	   *kid;
	uint32		algs;			/* algorithms this key verifies */
	AuthKey    *key;
} IssuerKey;

typedef struct TrustedIssuer
{
	char	   *issuer;
	char	  **audience;
	int			naud;			/* 0: any audience */
	uint32		algs;
	char	   *user_id_claim;
	char	   *role_path[ISSUER_MAX_PATH];
	int			nrole_path;		/* 0: no role claim */
	char	   *default_role;
	int			leeway;			/* -1: the jwt.leeway_seconds setting */
	char	  **required;
	int			nrequired;
	bool		provision;		/* link unknown subjects to new local users */
	IssuerKey  *keys;
	int			nkeys;
} TrustedIssuer;

/* issuers_check.c: 22023 for what the owner gave; parsing options and keys */
pg_noreturn extern void issuer_bad_option(const char *msg, const char *detail);
extern void issuer_parse_options(Jsonb *options, TrustedIssuer *is);
extern void issuer_parse_key(Jsonb *jwk, uint32 issuer_algs, IssuerKey *out);

/* issuers.c */
extern uint64 issuers_generation(void);
extern const TrustedIssuer *issuer_for_claims(Jsonb *claims);
extern void issuer_verify(const TrustedIssuer *is, const char *token, ParsedJws *p);
extern void issuer_check_claims(const TrustedIssuer *is, Jsonb *claims, const JwtTimes *t);
extern void issuer_set_identity(const TrustedIssuer *is, Jsonb *claims, const char *text);
extern int	issuers_count(void);

#endif							/* AUTH_ISSUERS_H */
