/*-------------------------------------------------------------------------
 *
 * jws_parse.h
 *	  Parsing JWS compact tokens (jws_parse.c), for jwt.c and jwt_sign.c,
 *	  and for the identity area's verification (issuers.c, verify.c).
 *
 * src/tokens/jws_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_JWS_PARSE_H
#define AUTH_JWS_PARSE_H

#include "jws_split.h"
#include "pg_compat.h"
#include "tokens.h"

typedef struct ParsedJws
{
	JwsSegments seg;
	JwsAlg		alg;
	char	   *kid;			/* NULL when absent */
	unsigned char *sig;
	size_t		sig_len;
} ParsedJws;

/* PT401 "Invalid token" with detail as errdetail. */
pg_noreturn extern void jws_token_invalid(const char *detail);

/* Size cap, segments, header and signature bytes; PT401 on any problem. */
extern void jws_parse(const char *token, size_t len, ParsedJws *out);

/* A base64url JSON segment (header or payload) as jsonb; PT401 if it is not JSON. */
extern Jsonb *jws_parse_json_segment(const char *b64, size_t len, const char *what,
									 char **text_out);

/*
 * jwt.c: the claims object of a parsed token, and its signature checked with
 * the keyring (both for auth.jwt_verify, src/identity/verify.c).
 */
extern Jsonb *jwt_parse_claims(ParsedJws *p, char **text_out);
extern void jwt_verify_keyring(const char *token, ParsedJws *p);

#endif							/* AUTH_JWS_PARSE_H */
