/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  auth.jwt_verify() (also auth.jwt_session_init()), and
 *	  auth_jwt_verify_token() behind it and behind auth.pre_request(): a
 *	  token verified with our keyring or with the keys of the trusted issuer
 *	  its "iss" names, its time claims, issuer and audience checked, its
 *	  revocation checked, and its claims made the identity of the
 *	  transaction.
 *
 * This is where the tokens area (parsing, signatures, the keyring, the
 * verified-token cache, revocation: src/tokens) meets the identity area
 * (trusted issuers and their mapping, the identity setting): it calls both
 * and neither calls it, so the tokens area never reaches up into identity
 * (docs/00_design_notes.md, "Build and layout").
 *
 * src/identity/verify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "issuers.h"
#include "tokens/token_cache.h"

/*
 * Verifies token against the keyring, or against the keys of the trusted
 * issuer its "iss" names (*issuer_out, else NULL): never both, so no key
 * verifies a token of another issuer.  Returns its claims and their text.
 * The payload is parsed before the signature is checked, to read "iss".
 */
static Jsonb *
verify_token(const char *token, size_t len, char **text_out,
			 const TrustedIssuer **issuer_out)
{
	ParsedJws	p;
	Jsonb	   *claims;

	jws_parse(token, len, &p);
	claims = jwt_parse_claims(&p, text_out);
	*issuer_out = issuer_for_claims(claims);
	if (*issuer_out)
		issuer_verify(*issuer_out, token, &p);
	else
		jwt_verify_keyring(token, &p);
	return claims;
}

/*
 * The verification behind auth.jwt_verify(): see auth_ext.h.  Tokens this
 * backend verified before come from the verified-token cache (still
 * checked for time, issuer, audience and revocation on every call).
 */
Jsonb *
auth_jwt_verify_token(const char *token, int len)
{
	Jsonb	   *claims;
	char	   *text = NULL;
	JwtTimes	times;
	uint64		gen;
	uint32		hash;
	TokenCacheEntry *entry;
	const TrustedIssuer *issuer;
	uint64		not_cached = 0;
	int			max = jwt_max_token_bytes();

	if (len > max)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The token is larger than %d bytes.", max)));
	/*
	 * The generation is taken once, before verifying: if auth.keys or
	 * auth.trusted_issuers changes while we verify (an invalidation can be
	 * processed whenever a table is opened), the entry is stored under the
	 * old generation and is stale at once.  Both generations only grow, so
	 * their sum changes with either.  issuers_generation() also loads the
	 * issuers that issuer_for_claims() then reads.
	 */
	gen = keyring_generation() + issuers_generation();
	hash = token_cache_hash(token, len);
	entry = token_cache_lookup(token, len, hash, gen);
	if (entry)
	{
		claims = palloc(VARSIZE(entry->claims));
		memcpy(claims, entry->claims, VARSIZE(entry->claims));
		times = entry->times;
		issuer = issuer_for_claims(claims);
	}
	else
	{
		claims = verify_token(token, len, &text, &issuer);
		jwt_read_times(claims, &times);
	}
	if (issuer)
		issuer_check_claims(issuer, claims, &times);
	else
	{
		jwt_check_times(&times);
		jwt_check_issuer_audience(claims);
	}
	/*
	 * The identity setting carries the payload's own text (what the claims
	 * were parsed from): no re-serialisation of the claims.
	 */
	if (entry == NULL)
	{
		/* cached only once its time claims passed (an expired token is not kept) */
		entry = token_cache_store(token, len, hash, gen, claims, &times, text);
	}
	else
		text = entry->claims_text;
	/*
	 * The entry stays valid until the next lookup or store (none happens
	 * below); it remembers when its claims were last found not revoked.
	 */
	auth_revocation_check_remembered(claims, entry ? &entry->revocation_gen : &not_cached);
	if (issuer)
		issuer_set_identity(issuer, claims, text);
	else
		auth_identity_set_text(claims, text);
	return claims;
}

/*
 * SQL function: auth.jwt_verify(token text) returns jsonb
 * (also auth.jwt_session_init(token text))
 */
PG_FUNCTION_INFO_V1(auth_jwt_verify);
Datum
auth_jwt_verify(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);

	PG_RETURN_JSONB_P(auth_jwt_verify_token(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token)));
}
