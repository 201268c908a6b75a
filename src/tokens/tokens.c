/*-------------------------------------------------------------------------
 *
 * tokens.c
 *	  Entry point of the tokens area: its admin settings (jwt.*), the
 *	  keyring watch, and the SQL functions behind key management
 *	  (auth._make_key for create_key/import_jwk, auth.jwks).
 *
 * Settings are rows of auth.config (see settings.c), out of reach of SET
 * and set_config(): jwt.leeway_seconds, jwt.lifetime_seconds, jwt.issuer,
 * jwt.audience, jwt.max_token_bytes, jwt.max_depth.
 *
 * src/tokens/tokens.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "tokens.h"

static AuthSetting jwt_settings[] = {
	{"jwt.leeway_seconds", AUTH_SETTING_INT, "30", 0, 3600,
	"clock skew tolerated on exp, nbf and iat, in seconds", NULL, 0},
	{"jwt.lifetime_seconds", AUTH_SETTING_INT, "604800", 60, 31622400,
	"lifetime of tokens made by auth.jwt_sign() when the claims have no exp, in seconds", NULL, 0},
	{"jwt.issuer", AUTH_SETTING_STRING, "", 0, 0,
	"iss added by auth.jwt_sign() and required by auth.jwt_verify(); empty: none", NULL, 0},
	{"jwt.audience", AUTH_SETTING_STRING, "", 0, 0,
	"aud added by auth.jwt_sign() and required by auth.jwt_verify(); empty: none", NULL, 0},
	{"jwt.max_token_bytes", AUTH_SETTING_INT, "16384", 256, 1048576,
	"largest token accepted, in bytes", NULL, 0},
	{"jwt.max_depth", AUTH_SETTING_INT, "32", 2, 256,
	"deepest JSON nesting accepted in a token's header or claims", NULL, 0},
};

enum
{
	S_LEEWAY, S_LIFETIME, S_ISSUER, S_AUDIENCE, S_MAX_BYTES, S_MAX_DEPTH
};

void
auth_tokens_init(void)
{
	auth_register_settings(jwt_settings, lengthof(jwt_settings));
	keyring_init();
}

int
jwt_leeway_seconds(void)
{
	return (int) auth_setting_int(&jwt_settings[S_LEEWAY]);
}

int64
jwt_lifetime_seconds(void)
{
	return auth_setting_int(&jwt_settings[S_LIFETIME]);
}

const char *
jwt_issuer(void)
{
	return auth_setting_string(&jwt_settings[S_ISSUER]);
}

const char *
jwt_audience(void)
{
	return auth_setting_string(&jwt_settings[S_AUDIENCE]);
}

int
jwt_max_token_bytes(void)
{
	return (int) auth_setting_int(&jwt_settings[S_MAX_BYTES]);
}

int
jwt_max_depth(void)
{
	return (int) auth_setting_int(&jwt_settings[S_MAX_DEPTH]);
}

static JwsAlg
algorithm_arg(text *t)
{
	char	   *name = text_to_cstring(t);
	JwsAlg		alg = jws_alg_lookup(name, strlen(name));

	if (alg == JWS_ALG_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported algorithm \"%s\"", name),
				 errhint("Supported: HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.")));
	return alg;
}

/*
 * SQL function: auth._make_key(algorithm text, jwk jsonb, OUT kid text,
 * OUT algorithm text, OUT public_jwk jsonb, OUT private_key bytea)
 *
 * With jwk NULL: a new key for algorithm, with a random kid.  Otherwise
 * the key of the JWK (verify-only import: private members of asymmetric
 * keys are dropped, an oct key keeps its secret), kid from the JWK or its
 * RFC 7638 thumbprint, algorithm from the JWK's "alg" or curve.  The row
 * auth.create_key() / auth.import_jwk() insert into auth.keys.
 */
PG_FUNCTION_INFO_V1(auth_make_key);
Datum
auth_make_key(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		d[4];
	bool		nulls[4] = {false, false, false, false};
	AuthKey    *key;
	JwsAlg		alg;
	char	   *kid;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("algorithm must not be null")));
		alg = algorithm_arg(PG_GETARG_TEXT_PP(0));
		key = auth_key_generate(alg);
		kid = auth_random_b64url(12);
		d[3] = PointerGetDatum(auth_key_private_bytes(key));
	}
	else
	{
		Jsonb	   *jwk = PG_GETARG_JSONB_P(1);
		JsonbValue *v;

		key = auth_key_from_jwk(jwk, false, true);
		alg = auth_key_default_alg(key);
		if (!PG_ARGISNULL(0) && algorithm_arg(PG_GETARG_TEXT_PP(0)) != alg)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the JWK is a key for %s", jws_algs[alg].name)));
		v = auth_jsonb_member(jwk, "kid");
		if (v && v->type == jbvString && v->val.string.len > 0)
			kid = pnstrdup(v->val.string.val, v->val.string.len);
		else if (v)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("JWK member \"kid\" must be a non-empty string")));
		else if (key->kty == AUTH_KTY_OCT)
			kid = auth_random_b64url(12);	/* a thumbprint would hash the secret */
		else
			kid = auth_key_thumbprint(key);
		if (key->kty == AUTH_KTY_OCT)
			d[3] = PointerGetDatum(auth_key_private_bytes(key));
		else
			nulls[3] = true;
	}
	d[0] = CStringGetTextDatum(kid);
	d[1] = CStringGetTextDatum(jws_algs[alg].name);
	d[2] = JsonbPGetDatum(auth_key_public_jwk(key, alg, kid));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, d, nulls)));
}

/*
 * SQL function: auth.jwks() returns jsonb
 *
 * {"keys": [...]}: the public JWKs (kid, alg, use "sig") of our own active
 * asymmetric keys.  HMAC keys are never published, nor keys imported from
 * other issuers.  Read from the keyring
 * cache, so it needs no privilege on auth.keys.
 */
PG_FUNCTION_INFO_V1(auth_jwks);
Datum
auth_jwks(PG_FUNCTION_ARGS)
{
	KeyringEntry **all;
	int			n = keyring_all(&all);
	JsonbParseState *st = NULL;
	JsonbValue	k;
	JsonbValue *res;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	k.type = jbvString;
	k.val.string.val = "keys";
	k.val.string.len = 4;
	pushJsonbValue(&st, WJB_KEY, &k);
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		JsonbValue	v;

		if (all[i]->retired || all[i]->verify_only ||
			jws_algs[all[i]->alg].kty == AUTH_KTY_OCT)
			continue;
		v.type = jbvBinary;
		v.val.binary.data = &all[i]->public_jwk->root;
		v.val.binary.len = VARSIZE(all[i]->public_jwk) - VARHDRSZ;
		pushJsonbValue(&st, WJB_ELEM, &v);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
