/*-------------------------------------------------------------------------
 *
 * tokens.h
 *	  Declarations shared by the files of the tokens area (keys.c, jws.c,
 *	  keyring.c, jwt.c, jwt_sign.c, tokens.c), and what the areas above it
 *	  use: the identity area's verification (src/identity: verify.c,
 *	  issuers*.c) and the accounts area's random tokens (recovery.c).
 *
 * src/tokens/tokens.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_TOKENS_H
#define AUTH_TOKENS_H

#include <openssl/evp.h>

#include "auth_ext.h"

/* ---- algorithms (jws.c) ---- */
typedef enum JwsAlg
{
	JWS_ALG_INVALID = -1,
	JWS_HS256 = 0,
	JWS_HS384,
	JWS_HS512,
	JWS_RS256,
	JWS_RS384,
	JWS_RS512,
	JWS_PS256,
	JWS_PS384,
	JWS_PS512,
	JWS_ES256,
	JWS_ES384,
	JWS_ES512,
	JWS_EDDSA,
	JWS_NUM_ALGS
} JwsAlg;

typedef enum AuthKty
{
	AUTH_KTY_OCT,
	AUTH_KTY_RSA,
	AUTH_KTY_EC,
	AUTH_KTY_OKP
} AuthKty;

typedef struct JwsAlgInfo
{
	const char *name;			/* JOSE "alg" */
	AuthKty		kty;			/* key type it needs */
	bool		pss;			/* RSASSA-PSS rather than PKCS#1 v1.5 */
	const char *digest;			/* OpenSSL digest name, NULL for EdDSA */
	int			size;			/* HMAC: MAC bytes; EC: coordinate bytes */
	const char *crv;			/* JWK "crv" (EC / OKP) */
	const char *group;			/* OpenSSL group name (EC) */
} JwsAlgInfo;

extern const JwsAlgInfo jws_algs[JWS_NUM_ALGS];
extern JwsAlg jws_alg_lookup(const char *name, size_t len);

/* ---- keys (keys.c) ---- */

/*
 * A parsed key, bound to one algorithm (or, for an explicit key given to
 * jws_verify/jwt_decode/jwt_encode, to every algorithm of its type that the
 * caller allows).  Allocated in a memory context whose reset frees the
 * OpenSSL objects and wipes the secret (auth_key_new registers that).
 */
typedef struct AuthKey
{
	AuthKty		kty;
	JwsAlg		alg;			/* bound algorithm or JWS_ALG_INVALID */
	bool		has_private;	/* can sign */
	int			bits;			/* RSA modulus bits */
	const char *group;			/* EC group (OpenSSL name), else NULL */
	EVP_PKEY   *pkey;			/* asymmetric keys */
	unsigned char *secret;		/* HMAC secret */
	size_t		secret_len;
	EVP_MAC_CTX *mac[3];		/* HMAC contexts keyed once, per HS alg */
	EVP_MD_CTX *mdctx;			/* reused signing/EdDSA context */
	EVP_PKEY_CTX *vctx[JWS_NUM_ALGS];	/* verify contexts set up once, per alg */
} AuthKey;

/* Minimum HMAC secret: 256 bits (RFC 7518 section 3.2 for HS256). */
#define AUTH_HMAC_MIN_SECRET 32

extern AuthKey *auth_key_new(MemoryContext cxt);
extern AuthKey *auth_key_from_text(const char *text, size_t len, bool for_signing);
extern AuthKey *auth_key_cached(const char *text, size_t len, bool for_signing);
extern AuthKey *auth_key_from_jwk(Jsonb *jwk, bool for_signing, bool strict_alg);
extern AuthKey *auth_key_from_stored(JwsAlg alg, Jsonb *public_jwk,
									 const unsigned char *priv, size_t priv_len,
									 MemoryContext cxt);
extern AuthKey *auth_key_generate(JwsAlg alg);
extern bool auth_key_fits(const AuthKey *key, JwsAlg alg);
extern const char *auth_key_misfit(const AuthKey *key, JwsAlg alg);
extern JwsAlg auth_key_default_alg(const AuthKey *key);
extern Jsonb *auth_key_public_jwk(const AuthKey *key, JwsAlg alg, const char *kid);
extern bytea *auth_key_private_bytes(const AuthKey *key);
extern char *auth_key_thumbprint(const AuthKey *key);
extern char *auth_random_b64url(int nbytes);
extern Jsonb *auth_jsonb_object(const char **names, char **values, int n);
extern JsonbValue *auth_jsonb_member(Jsonb *obj, const char *name);
extern Jsonb *auth_jsonb_parse(char *text);

/* ---- signatures (jws.c) ---- */
extern const char *jws_verify_signature(AuthKey *key, JwsAlg alg,
										const char *input, size_t input_len,
										const unsigned char *sig, size_t sig_len);
extern unsigned char *jws_sign_bytes(AuthKey *key, JwsAlg alg,
									 const char *input, size_t input_len,
									 size_t *sig_len);

/* ---- keyring (keyring.c) ---- */
typedef struct KeyringEntry
{
	char	   *kid;
	JwsAlg		alg;
	bool		retired;
	bool		verify_only;
	Jsonb	   *public_jwk;
	AuthKey    *key;
} KeyringEntry;

extern void keyring_init(void);
extern uint64 keyring_generation(void);
extern KeyringEntry *keyring_find(const char *kid);
extern int	keyring_candidates(JwsAlg alg, KeyringEntry **out, int max);
extern KeyringEntry *keyring_signing_key(void);
extern int	keyring_all(KeyringEntry ***out);

/* ---- claims (jwt.c) ---- */
typedef struct JwtTimes
{
	bool		has_exp;
	bool		has_nbf;
	bool		has_iat;
	int64		exp;
	int64		nbf;
	int64		iat;
} JwtTimes;

extern void jwt_read_times(Jsonb *claims, JwtTimes *t);
extern void jwt_check_times(const JwtTimes *t);
extern void jwt_check_times_leeway(const JwtTimes *t, int64 leeway);
extern void jwt_check_issuer_audience(Jsonb *claims);
extern int64 jwt_statement_time(void);
extern void auth_require_fit(const AuthKey *key, JwsAlg alg);

/* ---- tokens.c settings ---- */
extern int	jwt_leeway_seconds(void);
extern int64 jwt_lifetime_seconds(void);
extern const char *jwt_issuer(void);
extern const char *jwt_audience(void);
extern int	jwt_max_token_bytes(void);
extern int	jwt_max_depth(void);

#endif							/* AUTH_TOKENS_H */
