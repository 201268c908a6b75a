/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  Verifying tokens: JWT claim checks (exp/nbf/iat numbers only, exp
 *	  required, iss, aud, leeway), the signature check against the keyring
 *	  (what auth.jwt_verify, src/identity/verify.c, does for a token of
 *	  ours), and verification with an explicit key (auth.jws_verify,
 *	  auth.jwt_decode), plus auth.jwt_decode_unverified.  Parsing is
 *	  jws_parse.c's, signatures jws.c's, minting jwt_sign.c's.
 *
 * Every token failure raises PT401 with a short message ("Invalid token",
 * "Token expired, please log in again", "Token not yet valid") and the
 * reason in errdetail; neither the token nor any key appears in a message.
 *
 * Time claims are compared with the statement start time, so jwt_verify is
 * STABLE: within a statement a token is valid or not, consistently.
 *
 * src/tokens/jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "base64url.h"
#include "jws_parse.h"
#include "tokens.h"

static void
verify_with(AuthKey *key, const char *token, ParsedJws *p)
{
	const char *problem;

	if (!auth_key_fits(key, p->alg))
		jws_token_invalid("The token's algorithm does not match its key.");
	problem = jws_verify_signature(key, p->alg, token, p->seg.signing_input_len,
								   p->sig, p->sig_len);
	if (problem)
		jws_token_invalid(problem);
}

/* ---- claims ---- */

#define claim auth_jsonb_member

/*
 * sub and jti, when present, must be strings (RFC 7519 4.1.2 and 4.1.7).
 * Revocation keys, auth.user_id() and the sign-out functions read them as
 * strings: a number there would name a user or token that sign-out could
 * not revoke (docs/70_findings.md, finding 7), so such a token is refused.
 */
static void
check_string_claim(Jsonb *claims, const char *name)
{
	JsonbValue *v = claim(claims, name);

	if (v != NULL && v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The claim \"%s\" must be a string.", name)));
}

/*
 * The payload of p as a claims object (sub and jti, when present, strings),
 * and, with text_out, the text it was parsed from.  PT401 otherwise.
 */
Jsonb *
jwt_parse_claims(ParsedJws *p, char **text_out)
{
	Jsonb	   *claims = jws_parse_json_segment(p->seg.payload, p->seg.payload_len,
												"payload", text_out);

	if (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims))
		jws_token_invalid("The payload is not a JSON object.");
	check_string_claim(claims, "sub");
	check_string_claim(claims, "jti");
	return claims;
}

/* Latest NumericDate we accept: 9999-12-31T23:59:59Z. */
#define MAX_NUMERIC_DATE INT64CONST(253402300799)

static void
read_time_claim(Jsonb *claims, const char *name, bool *has, int64 *val)
{
	JsonbValue *v = claim(claims, name);
	volatile int64 secs = 0;
	volatile bool overflow = false;
	MemoryContext cxt = CurrentMemoryContext;

	*has = v != NULL;
	if (!v)
		return;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The claim \"%s\" must be a number.", name)));
	/* numeric_int8 rounds fractions to the nearest second */
	PG_TRY();
	{
		secs = DatumGetInt64(DirectFunctionCall1(numeric_int8,
												 NumericGetDatum(v->val.numeric)));
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(cxt);
		ed = CopyErrorData();
		if (ed->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
			PG_RE_THROW();
		FlushErrorState();
		overflow = true;
	}
	PG_END_TRY();
	if (overflow || secs < 0 || secs > MAX_NUMERIC_DATE)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The claim \"%s\" is out of range.", name)));
	*val = secs;
}

void
jwt_read_times(Jsonb *claims, JwtTimes *t)
{
	read_time_claim(claims, "exp", &t->has_exp, &t->exp);
	read_time_claim(claims, "nbf", &t->has_nbf, &t->nbf);
	read_time_claim(claims, "iat", &t->has_iat, &t->iat);
}

int64
jwt_statement_time(void)
{
	return (int64) timestamptz_to_time_t(GetCurrentStatementStartTimestamp());
}

/* exp (required), nbf and iat against the statement time with leeway. */
void
jwt_check_times(const JwtTimes *t)
{
	jwt_check_times_leeway(t, jwt_leeway_seconds());
}

/* The same with an explicit leeway (a trusted issuer's, issuers.c). */
void
jwt_check_times_leeway(const JwtTimes *t, int64 leeway)
{
	int64		now = jwt_statement_time();

	if (!t->has_exp)
		jws_token_invalid("The token has no \"exp\" claim.");
	if (now >= t->exp + leeway)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Token expired, please log in again"),
				 errdetail("The token's \"exp\" has passed.")));
	if (t->has_nbf && now + leeway < t->nbf)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Token not yet valid"),
				 errdetail("The token's \"nbf\" is in the future.")));
	if (t->has_iat && t->iat > now + leeway)
		jws_token_invalid("The token's \"iat\" is in the future.");
}

/* iss and aud against the admin settings (empty setting: not checked). */
void
jwt_check_issuer_audience(Jsonb *claims)
{
	const char *iss = jwt_issuer();
	const char *aud = jwt_audience();

	if (iss && iss[0])
	{
		JsonbValue *v = claim(claims, "iss");

		if (v == NULL || v->type != jbvString ||
			v->val.string.len != (int) strlen(iss) ||
			memcmp(v->val.string.val, iss, v->val.string.len) != 0)
			jws_token_invalid("The token's \"iss\" is not the configured issuer.");
	}
	if (aud && aud[0])
	{
		JsonbValue *v = claim(claims, "aud");
		bool		ok = false;

		if (v && v->type == jbvString)
			ok = v->val.string.len == (int) strlen(aud) &&
				memcmp(v->val.string.val, aud, v->val.string.len) == 0;
		else if (v && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
		{
			JsonbValue	want;

			want.type = jbvString;
			want.val.string.val = (char *) aud;
			want.val.string.len = strlen(aud);
			ok = findJsonbValueFromContainer(v->val.binary.data, JB_FARRAY, &want) != NULL;
		}
		if (!ok)
			jws_token_invalid("The token's \"aud\" does not include the configured audience.");
	}
}

/* ---- verification against the keyring ---- */

#define MAX_CANDIDATES 16

/*
 * Verifies the signature of parsed token p with the keyring: the key its
 * "kid" names (unknown, retired or of another algorithm: PT401), or, without
 * a kid, any active key of its algorithm.  auth.jwt_verify (src/identity/
 * verify.c) calls it for every token whose "iss" is not a trusted issuer.
 */
void
jwt_verify_keyring(const char *token, ParsedJws *p)
{
	if (p->kid)
	{
		KeyringEntry *e = keyring_find(p->kid);

		if (e == NULL)
			jws_token_invalid("The token's key (\"kid\") is unknown.");
		if (e->retired)
			jws_token_invalid("The token's key (\"kid\") was retired.");
		if (e->alg != p->alg)
			jws_token_invalid("The token's algorithm does not match its key.");
		verify_with(e->key, token, p);
	}
	else
	{
		KeyringEntry *cand[MAX_CANDIDATES];
		int			n = keyring_candidates(p->alg, cand, MAX_CANDIDATES);
		bool		ok = false;

		if (n == 0)
			jws_token_invalid("No active key of the token's algorithm.");
		for (int i = 0; i < n && !ok; i++)
			ok = jws_verify_signature(cand[i]->key, p->alg, token,
									  p->seg.signing_input_len, p->sig, p->sig_len) == NULL;
		if (!ok)
			jws_token_invalid("The signature does not match any active key.");
	}
}

/* ---- explicit keys ---- */

/* 22023 unless the caller's key fits alg, saying why. */
void
auth_require_fit(const AuthKey *key, JwsAlg alg)
{
	const char *why = auth_key_misfit(key, alg);

	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the key does not fit algorithm %s", jws_algs[alg].name),
				 errdetail_internal("%s", why)));
}

/* Parses an algorithms text[] into a bitmask; 22023 for unknown names. */
static uint32
allowed_algorithms(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	uint32		mask = 0;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *name;
		JwsAlg		a;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("algorithm names must not be null")));
		name = TextDatumGetCString(elems[i]);
		a = jws_alg_lookup(name, strlen(name));
		if (a == JWS_ALG_INVALID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported algorithm \"%s\"", name),
					 errhint("Supported: HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.")));
		mask |= 1u << a;
	}
	if (mask == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no algorithm is allowed"),
				 errhint("Pass at least one algorithm, for example '{HS256}'.")));
	return mask;
}

/*
 * The algorithms argument is nearly always a constant: its mask is kept in
 * fn_extra with the array's bytes, so a call with the same array skips
 * deconstructing it.
 */
typedef struct AlgMaskCache
{
	uint32		mask;
	Size		len;
	char		bytes[FLEXIBLE_ARRAY_MEMBER];
} AlgMaskCache;

#define ALG_MASK_CACHE_MAX 512

static uint32
allowed_algorithms_cached(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	Size		len = VARSIZE(arr);
	AlgMaskCache *c = (AlgMaskCache *) fcinfo->flinfo->fn_extra;
	uint32		mask;

	if (c && c->len == len && memcmp(c->bytes, arr, len) == 0)
		return c->mask;
	mask = allowed_algorithms(arr);
	if (len <= ALG_MASK_CACHE_MAX)
	{
		if (c == NULL)
			c = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
								   offsetof(AlgMaskCache, bytes) + ALG_MASK_CACHE_MAX);
		c->mask = mask;
		c->len = len;
		memcpy(c->bytes, arr, len);
		fcinfo->flinfo->fn_extra = c;
	}
	return mask;
}

static void
verify_explicit(FunctionCallInfo fcinfo, ParsedJws *p)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	text	   *keytext = PG_GETARG_TEXT_PP(1);
	uint32		mask = allowed_algorithms_cached(fcinfo, 2);
	AuthKey    *key;

	jws_parse(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), p);
	if ((mask & (1u << p->alg)) == 0)
		jws_token_invalid("The token's algorithm is not among the allowed algorithms.");
	key = auth_key_cached(VARDATA_ANY(keytext), VARSIZE_ANY_EXHDR(keytext), false);
	verify_with(key, VARDATA_ANY(token), p);
}

/*
 * SQL function: auth.jws_verify(token text, key text, algorithms text[])
 * returns bytea
 *
 * RFC 7515 signature check only; returns the payload bytes.
 */
PG_FUNCTION_INFO_V1(auth_jws_verify);
Datum
auth_jws_verify(PG_FUNCTION_ARGS)
{
	ParsedJws	p;
	bytea	   *out;
	long		n;

	verify_explicit(fcinfo, &p);
	out = palloc(VARHDRSZ + B64URL_DEC_LEN(p.seg.payload_len) + 1);
	n = b64url_decode(p.seg.payload, p.seg.payload_len, (unsigned char *) VARDATA(out));
	if (n < 0)
		jws_token_invalid("The payload is not valid base64url.");
	SET_VARSIZE(out, VARHDRSZ + n);
	PG_RETURN_BYTEA_P(out);
}

/*
 * SQL function: auth._verify_signature(algorithm text, key text,
 * message bytea, signature bytea) returns boolean
 *
 * The signature layer alone, on any message (the JOSE signature format:
 * raw R||S for ECDSA): what the Wycheproof and RFC 4231 vectors exercise.
 * Throws 22023 for a key that does not fit the algorithm.
 */
PG_FUNCTION_INFO_V1(auth_verify_signature);
Datum
auth_verify_signature(PG_FUNCTION_ARGS)
{
	char	   *algname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *keytext = PG_GETARG_TEXT_PP(1);
	bytea	   *msg = PG_GETARG_BYTEA_PP(2);
	bytea	   *sig = PG_GETARG_BYTEA_PP(3);
	JwsAlg		alg = jws_alg_lookup(algname, strlen(algname));
	AuthKey    *key;

	if (alg == JWS_ALG_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported algorithm \"%s\"", algname)));
	key = auth_key_cached(VARDATA_ANY(keytext), VARSIZE_ANY_EXHDR(keytext), false);
	auth_require_fit(key, alg);
	PG_RETURN_BOOL(jws_verify_signature(key, alg, VARDATA_ANY(msg), VARSIZE_ANY_EXHDR(msg),
										(unsigned char *) VARDATA_ANY(sig),
										VARSIZE_ANY_EXHDR(sig)) == NULL);
}

/*
 * SQL function: auth.jwt_decode(token text, key text, algorithms text[])
 * returns jsonb
 *
 * Signature, then exp (required), nbf, iat; returns the claims.
 */
PG_FUNCTION_INFO_V1(auth_jwt_decode);
Datum
auth_jwt_decode(PG_FUNCTION_ARGS)
{
	ParsedJws	p;
	Jsonb	   *claims;
	JwtTimes	times;

	verify_explicit(fcinfo, &p);
	claims = jwt_parse_claims(&p, NULL);
	jwt_read_times(claims, &times);
	jwt_check_times(&times);
	PG_RETURN_JSONB_P(claims);
}

/*
 * SQL function: auth.jwt_decode_unverified(token text) returns jsonb
 *
 * {"header": ..., "payload": ...} without checking anything but the form.
 */
PG_FUNCTION_INFO_V1(auth_jwt_decode_unverified);
Datum
auth_jwt_decode_unverified(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	ParsedJws	p;
	JsonbParseState *st = NULL;
	JsonbValue	k,
				v;
	JsonbValue *res;
	Jsonb	   *parts[2];
	const char *names[2] = {"header", "payload"};

	jws_parse(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), &p);
	parts[0] = jws_parse_json_segment(p.seg.header, p.seg.header_len, "header", NULL);
	parts[1] = jws_parse_json_segment(p.seg.payload, p.seg.payload_len, "payload", NULL);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < 2; i++)
	{
		k.type = jbvString;
		k.val.string.val = (char *) names[i];
		k.val.string.len = strlen(names[i]);
		pushJsonbValue(&st, WJB_KEY, &k);
		v.type = jbvBinary;
		v.val.binary.data = &parts[i]->root;
		v.val.binary.len = VARSIZE(parts[i]) - VARHDRSZ;
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
