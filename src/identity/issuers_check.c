/*-------------------------------------------------------------------------
 *
 * issuers_check.c
 *	  What auth.trust_issuer() is given, checked (issue 15): the options of
 *	  a trusted issuer and the public keys of its JWKS, parsed into a
 *	  TrustedIssuer (issuers.h) both by auth._issuer_check, which returns
 *	  what trust_issuer stores, and by the cache in issuers.c, which parses
 *	  the stored rows again.  Every problem is 22023 (22004 for NULLs) with
 *	  a message saying what to change.
 *
 * Keys: only public asymmetric keys (RSA, EC, Ed25519); private members or
 * an HMAC ("oct") key are refused; "none" and the HS algorithms are never
 * allowed.  A key without "alg" serves the algorithms of its type's family
 * that the issuer allows (RS/PS for RSA; EC and OKP keys are bound to their
 * curve anyway).
 *
 * src/identity/issuers_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "issuers.h"

void
issuer_bad_option(const char *msg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 errhint("See README \"Tokens from other providers\".")));
}

/* ---- options ---- */

static char *
string_member(Jsonb *obj, const char *name, bool nonempty)
{
	JsonbValue *v = auth_jsonb_member(obj, name);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvString || (nonempty && v->val.string.len == 0))
		issuer_bad_option(psprintf("option \"%s\" must be a%s string", name,
							nonempty ? " non-empty" : ""), NULL);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The strings of array member name (NULL elements refused), or 0 of them. */
static int
string_array_member(Jsonb *obj, const char *name, char ***out)
{
	JsonbValue *v = auth_jsonb_member(obj, name);
	int			n;

	*out = NULL;
	if (v == NULL || v->type == jbvNull)
		return 0;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		issuer_bad_option(psprintf("option \"%s\" must be an array of strings", name), NULL);
	n = JsonContainerSize(v->val.binary.data);
	*out = palloc0(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (e->type != jbvString || e->val.string.len == 0)
			issuer_bad_option(psprintf("option \"%s\" must be an array of non-empty strings", name), NULL);
		(*out)[i] = pnstrdup(e->val.string.val, e->val.string.len);
	}
	return n;
}

/*
 * A claim path as PostgREST's jwt-role-claim-key writes it: names separated
 * by dots, each bare or in double quotes (for names with dots or slashes):
 * app_metadata.role, ."https://hasura.io/jwt/claims"."x-hasura-default-role".
 */
static int
parse_claim_path(const char *s, char **out)
{
	int			n = 0;
	const char *p = s;

	if (*p == '.')
		p++;
	for (;;)
	{
		const char *start;
		const char *end;

		if (n == ISSUER_MAX_PATH)
			issuer_bad_option("option \"role_claim\" has too many parts", NULL);
		if (*p == '"')
		{
			start = ++p;
			end = strchr(p, '"');
			if (end == NULL)
				issuer_bad_option("option \"role_claim\" has an unterminated quoted name", s);
			p = end + 1;
		}
		else
		{
			start = p;
			end = p + strcspn(p, ".\"");
			p = end;
		}
		if (end == start)
			issuer_bad_option("option \"role_claim\" has an empty name", s);
		out[n++] = pnstrdup(start, end - start);
		if (*p == '\0')
			return n;
		if (*p != '.')
			issuer_bad_option("option \"role_claim\" is not a path like app_metadata.role", s);
		p++;
	}
}

static uint32
parse_algorithms(char **names, int n)
{
	uint32		mask = 0;

	for (int i = 0; i < n; i++)
	{
		JwsAlg		a = jws_alg_lookup(names[i], strlen(names[i]));

		if (pg_strcasecmp(names[i], "none") == 0)
			issuer_bad_option("algorithm \"none\" is never allowed", NULL);
		if (a == JWS_ALG_INVALID)
			issuer_bad_option(psprintf("unsupported algorithm \"%s\"", names[i]),
					   "Supported for other issuers: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.");
		if (jws_algs[a].kty == AUTH_KTY_OCT)
			issuer_bad_option(psprintf("algorithm \"%s\" is not allowed for another issuer", names[i]),
					   "HMAC needs a secret shared with the provider; trusted issuers use public keys.");
		mask |= 1u << a;
	}
	return mask;
}

static const char *const known_options[] = {
	"algorithms", "user_id_claim", "role_claim", "default_role",
	"leeway_seconds", "required_claims", "provision",
	"jwks_uri"
};

/*
 * Option "jwks_uri": where contrib/jwks-sync fetches the issuer's JWKS.  The
 * database never fetches it; the URL is checked here so that the companion
 * is given something it can use: an absolute http(s) URL of printable ASCII
 * with a host and no credentials (a user:password@ would sit in a table the
 * owner backs up).  Whether plain http is allowed is the companion's call
 * (loopback only, unless told otherwise).  Returns the URL or NULL.
 */
static char *
check_jwks_uri(Jsonb *options)
{
	char	   *uri = string_member(options, "jwks_uri", true);
	const char *host;
	size_t		hostlen;

	if (uri == NULL)
		return NULL;
	if (strlen(uri) > 2048)
		issuer_bad_option("option \"jwks_uri\" is longer than 2048 bytes", NULL);
	for (const char *c = uri; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			issuer_bad_option("option \"jwks_uri\" must be a URL of printable ASCII without spaces", uri);
	if (pg_strncasecmp(uri, "https://", 8) == 0)
		host = uri + 8;
	else if (pg_strncasecmp(uri, "http://", 7) == 0)
		host = uri + 7;
	else
		issuer_bad_option("option \"jwks_uri\" must be an https:// (or http://) URL", uri);
	hostlen = strcspn(host, "/?#");
	if (hostlen == 0)
		issuer_bad_option("option \"jwks_uri\" has no host", uri);
	if (memchr(host, '@', hostlen) != NULL)
		issuer_bad_option("option \"jwks_uri\" must not hold credentials", NULL);
	return uri;
}

/* Fills the option fields of is from options (22023 for bad ones). */
void
issuer_parse_options(Jsonb *options, TrustedIssuer *is)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	  **algs;
	int			nalgs;
	char	   *role_claim;
	JsonbValue *leeway;
	JsonbValue *provision;

	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		issuer_bad_option("options must be a JSON object", NULL);
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (int i = 0; i < (int) lengthof(known_options); i++)
			known |= strlen(known_options[i]) == (size_t) v.val.string.len &&
				memcmp(known_options[i], v.val.string.val, v.val.string.len) == 0;
		if (!known)
			issuer_bad_option(psprintf("unknown option \"%s\"",
								pnstrdup(v.val.string.val, v.val.string.len)),
					   "Options: algorithms, user_id_claim, role_claim, default_role, leeway_seconds, required_claims, provision, jwks_uri.");
	}
	nalgs = string_array_member(options, "algorithms", &algs);
	if (auth_jsonb_member(options, "algorithms") && nalgs == 0)
		issuer_bad_option("option \"algorithms\" must not be empty", NULL);
	is->algs = nalgs ? parse_algorithms(algs, nalgs) : ISSUER_ALGS_ASYMMETRIC;
	is->user_id_claim = string_member(options, "user_id_claim", true);
	if (is->user_id_claim == NULL)
		is->user_id_claim = pstrdup("sub");
	role_claim = string_member(options, "role_claim", true);
	is->nrole_path = role_claim ? parse_claim_path(role_claim, is->role_path) : 0;
	is->default_role = string_member(options, "default_role", true);
	leeway = auth_jsonb_member(options, "leeway_seconds");
	is->leeway = -1;
	if (leeway && leeway->type != jbvNull)
	{
		char	   *digits;
		char	   *end;
		long		secs;

		if (leeway->type != jbvNumeric)
			issuer_bad_option("option \"leeway_seconds\" must be a whole number of seconds", NULL);
		digits = DatumGetCString(DirectFunctionCall1(numeric_out,
													 NumericGetDatum(leeway->val.numeric)));
		errno = 0;
		secs = strtol(digits, &end, 10);
		if (*end != '\0' || errno != 0 || secs < 0 || secs > 3600)
			issuer_bad_option("option \"leeway_seconds\" must be a whole number from 0 to 3600", digits);
		is->leeway = (int) secs;
	}
	is->nrequired = string_array_member(options, "required_claims", &is->required);
	provision = auth_jsonb_member(options, "provision");
	if (provision && provision->type != jbvBool && provision->type != jbvNull)
		issuer_bad_option("option \"provision\" must be true or false", NULL);
	is->provision = provision && provision->type == jbvBool && provision->val.boolean;
	(void) check_jwks_uri(options);
}

/* ---- keys ---- */

static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

/* Parses one public JWK of an issuer allowing algorithms issuer_algs. */
void
issuer_parse_key(Jsonb *jwk, uint32 issuer_algs, IssuerKey *out)
{
	JsonbValue *kty;
	JsonbValue *kid;
	AuthKey    *key;
	uint32		mask;

	if (!JB_ROOT_IS_OBJECT(jwk) || JB_ROOT_IS_SCALAR(jwk))
		issuer_bad_option("every key of a JWKS must be a JSON object", NULL);
	kty = auth_jsonb_member(jwk, "kty");
	if (kty && kty->type == jbvString && kty->val.string.len == 3 &&
		memcmp(kty->val.string.val, "oct", 3) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("HMAC (\"oct\") keys cannot be trusted for another issuer"),
				 errdetail("An HMAC key is a shared secret, not a public key."),
				 errhint("Give auth.trust_issuer() the provider's public JWKS.")));
	for (int i = 0; i < (int) lengthof(private_members); i++)
		if (auth_jsonb_member(jwk, private_members[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the JWKS holds private key material"),
					 errdetail("A key has the member \"%s\".", private_members[i]),
					 errhint("Give auth.trust_issuer() the provider's public JWKS only.")));
	key = auth_key_from_jwk(jwk, false, false);
	if (key->alg != JWS_ALG_INVALID)
		mask = 1u << key->alg;	/* the JWK's "alg", or its curve's */
	else if (key->kty == AUTH_KTY_RSA)
		mask = ISSUER_ALGS_RSA;
	else
		mask = 1u << auth_key_default_alg(key);
	mask &= issuer_algs;
	kid = auth_jsonb_member(jwk, "kid");
	if (kid && (kid->type != jbvString || kid->val.string.len == 0))
		issuer_bad_option("a JWK \"kid\" must be a non-empty string", NULL);
	out->kid = kid ? pnstrdup(kid->val.string.val, kid->val.string.len)
		: auth_key_thumbprint(key);
	if (mask == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key \"%s\" serves none of the issuer's algorithms", out->kid),
				 errhint("Add its algorithm to the option \"algorithms\", or leave the option out.")));
	out->algs = mask;
	out->key = key;
}

/* The keys of a JWKS {"keys": [...]}; 22023 for a bad set or duplicate kid. */
static int
parse_issuer_keys(Jsonb *jwks, uint32 issuer_algs, IssuerKey **out)
{
	JsonbValue *arr = JB_ROOT_IS_OBJECT(jwks) && !JB_ROOT_IS_SCALAR(jwks)
		? auth_jsonb_member(jwks, "keys") : NULL;
	int			n;

	if (arr == NULL || arr->type != jbvBinary || !JsonContainerIsArray(arr->val.binary.data))
		issuer_bad_option("a JWKS is an object with a \"keys\" array", NULL);
	n = JsonContainerSize(arr->val.binary.data);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the JWKS has no keys"),
				 errhint("To stop trusting an issuer, call auth.distrust_issuer().")));
	*out = palloc0(sizeof(IssuerKey) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr->val.binary.data, i);

		if (e->type != jbvBinary)
			issuer_bad_option("every key of a JWKS must be a JSON object", NULL);
		issuer_parse_key(JsonbValueToJsonb(e), issuer_algs, &(*out)[i]);
		for (int j = 0; j < i; j++)
			if (strcmp((*out)[j].kid, (*out)[i].kid) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the JWKS has two keys with kid \"%s\"", (*out)[i].kid)));
	}
	return n;
}

static void
append_json_string(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}

static void
append_algs(StringInfo buf, uint32 mask)
{
	bool		first = true;

	appendStringInfoChar(buf, '[');
	for (int a = 0; a < JWS_NUM_ALGS; a++)
		if (mask & (1u << a))
		{
			appendStringInfo(buf, "%s\"%s\"", first ? "" : ",", jws_algs[a].name);
			first = false;
		}
	appendStringInfoChar(buf, ']');
}

/*
 * SQL function: auth._issuer_check(issuer text, jwks jsonb, audience text[],
 * options jsonb) returns jsonb
 *
 * What auth.trust_issuer() stores, or 22023/22004 saying what is wrong:
 * {"keys": [{"kid", "algorithms", "jwk"}...], "options": {...}} with the
 * options' defaults filled in.  Parses every key, keeps nothing.
 */
PG_FUNCTION_INFO_V1(auth_issuer_check);
Datum
auth_issuer_check(PG_FUNCTION_ARGS)
{
	char	   *issuer;
	Jsonb	   *jwks;
	Jsonb	   *options;
	TrustedIssuer is;
	IssuerKey  *keys;
	int			n;
	const char *own;
	StringInfoData buf;
	JsonbValue *arr;
	char	   *jwks_uri;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("issuer and jwks must not be null")));
	issuer = text_to_cstring(PG_GETARG_TEXT_PP(0));
	jwks = PG_GETARG_JSONB_P(1);
	options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	if (issuer[0] == '\0')
		issuer_bad_option("the issuer must not be empty", NULL);
	own = jwt_issuer();
	if (own && own[0] && strcmp(own, issuer) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is this database's own issuer (setting jwt.issuer)", issuer),
				 errhint("Our own tokens are verified with auth.keys; trust other providers only.")));
	if (!PG_ARGISNULL(2))
	{
		ArrayType  *aud = PG_GETARG_ARRAYTYPE_P(2);
		Datum	   *elems;
		bool	   *nulls;
		int			naud;

		deconstruct_array(aud, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &naud);
		if (naud == 0)
			issuer_bad_option("the audience list is empty",
					   "Pass NULL to accept any audience.");
		for (int i = 0; i < naud; i++)
			if (nulls[i] || VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i])) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("audiences must be non-empty strings")));
	}
	memset(&is, 0, sizeof(is));
	if (options == NULL)
		options = auth_jsonb_parse(pstrdup("{}"));
	issuer_parse_options(options, &is);
	n = parse_issuer_keys(jwks, is.algs, &keys);

	arr = auth_jsonb_member(jwks, "keys");
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"keys\":[");
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr->val.binary.data, i);
		Jsonb	   *jwk = JsonbValueToJsonb(e);

		appendStringInfoString(&buf, i ? ",{\"kid\":" : "{\"kid\":");
		append_json_string(&buf, keys[i].kid);
		appendStringInfoString(&buf, ",\"algorithms\":");
		append_algs(&buf, keys[i].algs);
		appendStringInfo(&buf, ",\"jwk\":%s}",
						 JsonbToCString(NULL, &jwk->root, VARSIZE(jwk)));
	}
	appendStringInfoString(&buf, "],\"options\":{\"algorithms\":");
	append_algs(&buf, is.algs);
	appendStringInfoString(&buf, ",\"user_id_claim\":");
	append_json_string(&buf, is.user_id_claim);
	appendStringInfoString(&buf, ",\"role_claim\":");
	if (is.nrole_path)
		append_json_string(&buf, string_member(options, "role_claim", true));
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ",\"default_role\":");
	if (is.default_role)
		append_json_string(&buf, is.default_role);
	else
		appendStringInfoString(&buf, "null");
	if (is.leeway >= 0)
		appendStringInfo(&buf, ",\"leeway_seconds\":%d", is.leeway);
	else
		appendStringInfoString(&buf, ",\"leeway_seconds\":null");
	appendStringInfoString(&buf, ",\"required_claims\":[");
	for (int i = 0; i < is.nrequired; i++)
	{
		if (i)
			appendStringInfoChar(&buf, ',');
		append_json_string(&buf, is.required[i]);
	}
	appendStringInfo(&buf, "],\"provision\":%s", is.provision ? "true" : "false");
	jwks_uri = check_jwks_uri(options);
	if (jwks_uri)
	{
		appendStringInfoString(&buf, ",\"jwks_uri\":");
		append_json_string(&buf, jwks_uri);
	}
	appendStringInfoString(&buf, "}}");
	PG_RETURN_JSONB_P(auth_jsonb_parse(buf.data));
}
