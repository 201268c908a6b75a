/*-------------------------------------------------------------------------
 *
 * jwt_sign.c
 *	  Minting tokens: auth.jwt_sign() with the keyring's signing key (adds
 *	  iat, exp, jti, and iss/aud when configured) and auth.jwt_encode()
 *	  with an explicit key.  The header and claims are written as compact
 *	  JSON; a token larger than jwt.max_token_bytes is refused, since
 *	  nothing could verify it.
 *
 * src/tokens/jwt_sign.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "admin.h"
#include "base64url.h"
#include "jws_parse.h"
#include "tokens.h"

#define claim auth_jsonb_member

/* ---- signing ---- */

/*
 * Copy of object obj (or of {} when NULL) with the members names[] set to
 * vals[], replacing members of the same name.
 */
static Jsonb *
jsonb_with_members(Jsonb *obj, const char **names, JsonbValue *vals, int n)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	JsonbValue	k;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	if (obj)
	{
		JsonbIterator *it = JsonbIteratorInit(&obj->root);
		JsonbValue	v;
		JsonbIteratorToken tok;
		bool		skip = false;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
			{
				skip = false;
				for (int i = 0; i < n; i++)
					if ((int) strlen(names[i]) == v.val.string.len &&
						memcmp(names[i], v.val.string.val, v.val.string.len) == 0)
						skip = true;
				if (!skip)
					pushJsonbValue(&st, WJB_KEY, &v);
			}
			else if (tok == WJB_VALUE && !skip)
				pushJsonbValue(&st, WJB_VALUE, &v);
		}
	}
	for (int i = 0; i < n; i++)
	{
		k.type = jbvString;
		k.val.string.val = (char *) names[i];
		k.val.string.len = strlen(names[i]);
		pushJsonbValue(&st, WJB_KEY, &k);
		pushJsonbValue(&st, WJB_VALUE, &vals[i]);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

static void
string_value(JsonbValue *v, const char *s)
{
	v->type = jbvString;
	v->val.string.val = (char *) s;
	v->val.string.len = strlen(s);
}

static char *
b64url_text(const char *data, size_t len)
{
	char	   *out = palloc(B64URL_ENC_LEN(len) + 1);

	out[b64url_encode((const unsigned char *) data, len, out)] = '\0';
	return out;
}

/*
 * JSON text of a jsonb without the blanks JsonbToCString puts after ':' and
 * ',' (the only blanks it writes outside strings), as JOSE libraries do.
 */
static char *
compact_json(Jsonb *jb, size_t *len)
{
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	char	   *out = text;
	bool		in_string = false;
	char	   *p;

	for (p = text; *p; p++)
	{
		if (in_string)
		{
			if (*p == '\\' && p[1])
				*out++ = *p++;
			else if (*p == '"')
				in_string = false;
		}
		else if (*p == '"')
			in_string = true;
		else if (*p == ' ' && p > text && (p[-1] == ':' || p[-1] == ','))
			continue;
		*out++ = *p;
	}
	*out = '\0';
	*len = out - text;
	return text;
}

/* header.payload.signature with the given header and claims objects. */
static text *
encode_token(Jsonb *header, Jsonb *claims, AuthKey *key, JwsAlg alg)
{
	size_t		hlen;
	size_t		clen;
	char	   *h = compact_json(header, &hlen);
	char	   *c = compact_json(claims, &clen);
	StringInfoData buf;
	unsigned char *sig;
	size_t		sig_len;
	char	   *sig64;

	initStringInfo(&buf);
	appendStringInfoString(&buf, b64url_text(h, hlen));
	appendStringInfoChar(&buf, '.');
	appendStringInfoString(&buf, b64url_text(c, clen));
	sig = jws_sign_bytes(key, alg, buf.data, buf.len, &sig_len);
	sig64 = palloc(B64URL_ENC_LEN(sig_len) + 1);
	sig64[b64url_encode(sig, sig_len, sig64)] = '\0';
	appendStringInfoChar(&buf, '.');
	appendStringInfoString(&buf, sig64);
	if (buf.len > jwt_max_token_bytes())
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("token would be larger than jwt.max_token_bytes (%d bytes)",
						jwt_max_token_bytes()),
				 errhint("Put fewer claims into it, or raise the setting with auth.configure().")));
	return cstring_to_text_with_len(buf.data, buf.len);
}

static void
require_object(Jsonb *jb, const char *what)
{
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", what)));
}

/*
 * SQL function: auth.jwt_encode(claims jsonb, key text, algorithm text,
 * header jsonb) returns text
 *
 * Signs the claims as given with an explicit key.  Extra header members
 * come from header; "alg" is always the algorithm, "typ" defaults to JWT.
 */
PG_FUNCTION_INFO_V1(auth_jwt_encode);
Datum
auth_jwt_encode(PG_FUNCTION_ARGS)
{
	Jsonb	   *claims;
	text	   *keytext;
	char	   *algname;
	Jsonb	   *extra = NULL;
	JwsAlg		alg;
	AuthKey    *key;
	const char *names[2];
	JsonbValue	vals[2];
	int			n = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	claims = PG_GETARG_JSONB_P(0);
	keytext = PG_GETARG_TEXT_PP(1);
	algname = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		extra = PG_GETARG_JSONB_P(3);
	require_object(claims, "claims");
	alg = jws_alg_lookup(algname, strlen(algname));
	if (alg == JWS_ALG_INVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported algorithm \"%s\"", algname)));
	if (extra)
	{
		require_object(extra, "header");
		if (claim(extra, "crit"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("header member \"crit\" is not supported")));
	}
	key = auth_key_cached(VARDATA_ANY(keytext), VARSIZE_ANY_EXHDR(keytext), true);
	auth_require_fit(key, alg);
	names[n] = "alg";
	string_value(&vals[n++], jws_algs[alg].name);
	if (extra == NULL || claim(extra, "typ") == NULL)
	{
		names[n] = "typ";
		string_value(&vals[n++], "JWT");
	}
	PG_RETURN_TEXT_P(encode_token(jsonb_with_members(extra, names, vals, n), claims, key, alg));
}

static void
numeric_value(JsonbValue *v, int64 x)
{
	v->type = jbvNumeric;
	v->val.numeric = int64_to_numeric(x);
}

/*
 * SQL function: auth.jwt_sign(claims jsonb) returns text
 *
 * Signs with the keyring's signing key; adds iat and jti when absent, exp
 * (now + jwt.lifetime_seconds) when absent, and iss/aud when configured.
 */
PG_FUNCTION_INFO_V1(auth_jwt_sign);
Datum
auth_jwt_sign(PG_FUNCTION_ARGS)
{
	Jsonb	   *claims = PG_GETARG_JSONB_P(0);
	KeyringEntry *e;
	int64		now = jwt_statement_time();
	const char *names[5];
	JsonbValue	vals[5];
	int			n = 0;
	const char *iss = jwt_issuer();
	const char *aud = jwt_audience();
	const char *hnames[3] = {"alg", "kid", "typ"};
	JsonbValue	hvals[3];

	/* Minting a token for any sub is the extension owner's (src/base/admin.c). */
	auth_require_admin("sign tokens with the keyring");
	require_object(claims, "claims");
	/* our verification refuses them (finding 7): do not mint them */
	for (int i = 0; i < 2; i++)
	{
		const char *name = i == 0 ? "sub" : "jti";
		JsonbValue *v = claim(claims, name);

		if (v != NULL && v->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the claim \"%s\" must be a string", name),
					 errdetail("RFC 7519 makes \"sub\" and \"jti\" strings, and auth.jwt_verify() refuses other types.")));
	}
	e = keyring_signing_key();
	if (e == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("auth_ext has no active signing key"),
				 errhint("Create one with auth.create_key().")));
	if (claim(claims, "iat") == NULL)
	{
		names[n] = "iat";
		numeric_value(&vals[n++], now);
	}
	if (claim(claims, "exp") == NULL)
	{
		names[n] = "exp";
		numeric_value(&vals[n++], now + jwt_lifetime_seconds());
	}
	if (claim(claims, "jti") == NULL)
	{
		names[n] = "jti";
		string_value(&vals[n++], auth_random_b64url(16));
	}
	if (iss && iss[0])
	{
		names[n] = "iss";
		string_value(&vals[n++], iss);
	}
	if (aud && aud[0])
	{
		names[n] = "aud";
		string_value(&vals[n++], aud);
	}
	claims = jsonb_with_members(claims, names, vals, n);
	string_value(&hvals[0], jws_algs[e->alg].name);
	string_value(&hvals[1], e->kid);
	string_value(&hvals[2], "JWT");
	PG_RETURN_TEXT_P(encode_token(jsonb_with_members(NULL, hnames, hvals, 3),
								  claims, e->key, e->alg));
}
