/*-------------------------------------------------------------------------
 *
 * issuers.c
 *	  Tokens from other identity providers (issue 15): the per-backend cache
 *	  of table auth.trusted_issuers (each issuer's public keys parsed once,
 *	  its audiences and claim mapping), the check of what
 *	  auth.trust_issuer() is given (auth._issuer_check), and the parts of
 *	  auth.jwt_verify() that serve a token whose "iss" names a trusted
 *	  issuer: verification with that issuer's keys only, its audiences,
 *	  required claims and leeway, and its identity mapping.
 *
 * Trust domains.  A token whose "iss" is a trusted issuer is verified with
 * that issuer's keys and nothing else; any other token only with our own
 * keyring (jwt.c).  So no key ever verifies a token of another issuer.  An
 * external token never gets auth.uid(): its auth.user_id() is the
 * provider's subject (user_id_claim) as text, so a provider's "sub" that
 * happens to equal a local user's uuid is not that user.
 *
 * Keys.  Only public asymmetric keys (RSA, EC, Ed25519): a JWKS with
 * private members, or an HMAC ("oct") key, is refused; "none" and the HS
 * algorithms are never allowed.  A key without "alg" serves the algorithms
 * of its type's family that the issuer allows (RS/PS for RSA; an EC or OKP
 * key is bound to its curve anyway).
 *
 * Rotation.  auth.trust_issuer() replaces an issuer's row (its whole key
 * set) in one statement; the statement trigger auth._invalidate_cache()
 * makes every backend drop this cache at commit, and every use first
 * accepts pending invalidations (as the keyring does), so a removed kid is
 * refused at once everywhere.  issuers_generation() is part of the
 * verified-token cache's generation.
 *
 * src/issuers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "issuers.h"

#define ALGS_ASYMMETRIC (((1u << JWS_NUM_ALGS) - 1) & ~((1u << JWS_HS256) | (1u << JWS_HS384) | (1u << JWS_HS512)))
#define ALGS_RSA ((1u << JWS_RS256) | (1u << JWS_RS384) | (1u << JWS_RS512) | \
				  (1u << JWS_PS256) | (1u << JWS_PS384) | (1u << JWS_PS512))
#define MAX_PATH 16

typedef struct IssuerKey
{
	char	   *kid;
	uint32		algs;			/* algorithms this key verifies */
	AuthKey    *key;
} IssuerKey;

struct TrustedIssuer
{
	char	   *issuer;
	char	  **audience;
	int			naud;			/* 0: any audience */
	uint32		algs;
	char	   *user_id_claim;
	char	   *role_path[MAX_PATH];
	int			nrole_path;		/* 0: no role claim */
	char	   *default_role;
	int			leeway;			/* -1: the jwt.leeway_seconds setting */
	char	  **required;
	int			nrequired;
	IssuerKey  *keys;
	int			nkeys;
};

static MemoryContext issuers_cxt = NULL;
static TrustedIssuer *issuers = NULL;
static int	nissuers = 0;
static bool issuers_valid = false;
static uint64 generation = 1;

static void
bad_option(const char *msg, const char *detail)
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
		bad_option(psprintf("option \"%s\" must be a%s string", name,
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
		bad_option(psprintf("option \"%s\" must be an array of strings", name), NULL);
	n = JsonContainerSize(v->val.binary.data);
	*out = palloc0(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (e->type != jbvString || e->val.string.len == 0)
			bad_option(psprintf("option \"%s\" must be an array of non-empty strings", name), NULL);
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

		if (n == MAX_PATH)
			bad_option("option \"role_claim\" has too many parts", NULL);
		if (*p == '"')
		{
			start = ++p;
			end = strchr(p, '"');
			if (end == NULL)
				bad_option("option \"role_claim\" has an unterminated quoted name", s);
			p = end + 1;
		}
		else
		{
			start = p;
			end = p + strcspn(p, ".\"");
			p = end;
		}
		if (end == start)
			bad_option("option \"role_claim\" has an empty name", s);
		out[n++] = pnstrdup(start, end - start);
		if (*p == '\0')
			return n;
		if (*p != '.')
			bad_option("option \"role_claim\" is not a path like app_metadata.role", s);
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
			bad_option("algorithm \"none\" is never allowed", NULL);
		if (a == JWS_ALG_INVALID)
			bad_option(psprintf("unsupported algorithm \"%s\"", names[i]),
					   "Supported for other issuers: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.");
		if (jws_algs[a].kty == AUTH_KTY_OCT)
			bad_option(psprintf("algorithm \"%s\" is not allowed for another issuer", names[i]),
					   "HMAC needs a secret shared with the provider; trusted issuers use public keys.");
		mask |= 1u << a;
	}
	return mask;
}

static const char *const known_options[] = {
	"algorithms", "user_id_claim", "role_claim", "default_role",
	"leeway_seconds", "required_claims"
};

/* Fills the option fields of is from options (22023 for bad ones). */
static void
parse_options(Jsonb *options, TrustedIssuer *is)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	  **algs;
	int			nalgs;
	char	   *role_claim;
	JsonbValue *leeway;

	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		bad_option("options must be a JSON object", NULL);
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
			bad_option(psprintf("unknown option \"%s\"",
								pnstrdup(v.val.string.val, v.val.string.len)),
					   "Options: algorithms, user_id_claim, role_claim, default_role, leeway_seconds, required_claims.");
	}
	nalgs = string_array_member(options, "algorithms", &algs);
	if (auth_jsonb_member(options, "algorithms") && nalgs == 0)
		bad_option("option \"algorithms\" must not be empty", NULL);
	is->algs = nalgs ? parse_algorithms(algs, nalgs) : ALGS_ASYMMETRIC;
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
			bad_option("option \"leeway_seconds\" must be a whole number of seconds", NULL);
		digits = DatumGetCString(DirectFunctionCall1(numeric_out,
													 NumericGetDatum(leeway->val.numeric)));
		errno = 0;
		secs = strtol(digits, &end, 10);
		if (*end != '\0' || errno != 0 || secs < 0 || secs > 3600)
			bad_option("option \"leeway_seconds\" must be a whole number from 0 to 3600", digits);
		is->leeway = (int) secs;
	}
	is->nrequired = string_array_member(options, "required_claims", &is->required);
}

/* ---- keys ---- */

static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

/* Parses one public JWK of an issuer allowing algorithms issuer_algs. */
static void
parse_issuer_key(Jsonb *jwk, uint32 issuer_algs, IssuerKey *out)
{
	JsonbValue *kty;
	JsonbValue *kid;
	AuthKey    *key;
	uint32		mask;

	if (!JB_ROOT_IS_OBJECT(jwk) || JB_ROOT_IS_SCALAR(jwk))
		bad_option("every key of a JWKS must be a JSON object", NULL);
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
		mask = ALGS_RSA;
	else
		mask = 1u << auth_key_default_alg(key);
	mask &= issuer_algs;
	kid = auth_jsonb_member(jwk, "kid");
	if (kid && (kid->type != jbvString || kid->val.string.len == 0))
		bad_option("a JWK \"kid\" must be a non-empty string", NULL);
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
		bad_option("a JWKS is an object with a \"keys\" array", NULL);
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
			bad_option("every key of a JWKS must be a JSON object", NULL);
		parse_issuer_key(JsonbValueToJsonb(e), issuer_algs, &(*out)[i]);
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

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("issuer and jwks must not be null")));
	issuer = text_to_cstring(PG_GETARG_TEXT_PP(0));
	jwks = PG_GETARG_JSONB_P(1);
	options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	if (issuer[0] == '\0')
		bad_option("the issuer must not be empty", NULL);
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
			bad_option("the audience list is empty",
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
	parse_options(options, &is);
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
	appendStringInfoString(&buf, "]}}");
	PG_RETURN_JSONB_P(auth_jsonb_parse(buf.data));
}

/* ---- the cache ---- */

static void
issuers_reset(void)
{
	issuers_valid = false;
	generation++;
}

void
issuers_init(void)
{
	auth_watch_table("trusted_issuers", issuers_reset);
}

typedef struct LoadState
{
	MemoryContext cxt;
	int			att[4];
	TrustedIssuer *list;
	int			n;
	int			cap;
} LoadState;

static const char *const columns[4] = {"issuer", "keys", "audience", "options"};

/* One row, parsed in the cache's context (by auth_parse_or_skip). */
typedef struct IssuerRow
{
	TrustedIssuer *is;
	Datum	   *d;
	bool	   *isnull;
	int		   *att;
} IssuerRow;

static void
load_issuer(void *arg)
{
	IssuerRow  *row = (IssuerRow *) arg;
	TrustedIssuer *is = row->is;
	Datum	   *d = row->d;
	int		   *att = row->att;
	Jsonb	   *keys = DatumGetJsonbP(d[att[1]]);
	JsonbValue *e;
	int			n;

	is->issuer = TextDatumGetCString(d[att[0]]);
	parse_options(DatumGetJsonbP(d[att[3]]), is);
	if (!row->isnull[att[2]])
	{
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(DatumGetArrayTypeP(d[att[2]]), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &is->naud);
		is->audience = palloc(sizeof(char *) * (is->naud + 1));
		for (int i = 0; i < is->naud; i++)
			is->audience[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
	}
	if (!JB_ROOT_IS_ARRAY(keys))
		bad_option("stored issuer keys are not an array", NULL);
	n = JsonContainerSize(&keys->root);
	is->keys = palloc0(sizeof(IssuerKey) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *k;

		e = getIthJsonbValueFromContainer(&keys->root, i);
		if (e->type != jbvBinary)
			bad_option("stored issuer key is not an object", NULL);
		k = JsonbValueToJsonb(e);
		e = auth_jsonb_member(k, "jwk");
		if (e == NULL || e->type != jbvBinary)
			bad_option("stored issuer key has no \"jwk\"", NULL);
		/* parsed again as trust_issuer did; the stored kid is kept */
		parse_issuer_key(JsonbValueToJsonb(e), is->algs, &is->keys[i]);
		e = auth_jsonb_member(k, "kid");
		if (e && e->type == jbvString)
			is->keys[i].kid = pnstrdup(e->val.string.val, e->val.string.len);
	}
	is->nkeys = n;
}

static void
load_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	LoadState  *st = (LoadState *) arg;
	Datum	   *d = palloc(desc->natts * sizeof(Datum));
	bool	   *isnull = palloc(desc->natts * sizeof(bool));
	MemoryContext old;
	IssuerRow	row;

	if (st->att[0] < 0)
		auth_table_columns(desc, "trusted_issuers", columns, 4, st->att);
	heap_deform_tuple(tuple, desc, d, isnull);
	if (isnull[st->att[0]] || isnull[st->att[1]] || isnull[st->att[3]])
		return;

	old = MemoryContextSwitchTo(st->cxt);
	if (st->n == st->cap)
	{
		st->cap = st->cap ? st->cap * 2 : 8;
		st->list = st->list ? repalloc(st->list, st->cap * sizeof(TrustedIssuer))
			: palloc(st->cap * sizeof(TrustedIssuer));
	}
	row.is = &st->list[st->n];
	row.d = d;
	row.isnull = isnull;
	row.att = st->att;
	memset(row.is, 0, sizeof(TrustedIssuer));
	/* a row edited by hand that does not parse: skipped, as the keyring does */
	if (auth_parse_or_skip(load_issuer, &row, st->cxt,
						   psprintf("issuer \"%s\" in auth.trusted_issuers",
									TextDatumGetCString(d[st->att[0]]))))
		st->n++;
	MemoryContextSwitchTo(old);
}

static void
issuers_load(void)
{
	uint64		gen = generation;
	LoadState	st;

	memset(&st, 0, sizeof(st));
	st.att[0] = -1;
	auth_table_load("trusted_issuers", "auth_ext trusted issuers", load_row, &st, &st.cxt);
	/* nobody holds an old issuer between calls: free the old ones now */
	if (issuers_cxt)
		MemoryContextDelete(issuers_cxt);
	issuers_cxt = st.cxt;
	issuers = st.list;
	nissuers = st.n;
	issuers_valid = (gen == generation) && !IsInParallelMode();
}

static inline void
issuers_ensure(void)
{
	AcceptInvalidationMessages();
	if (unlikely(!issuers_valid))
		issuers_load();
}

uint64
issuers_generation(void)
{
	issuers_ensure();
	return generation;
}

/*
 * The trusted issuer the token's "iss" names, or NULL (our own keyring).
 * Reads the issuers as issuers_generation() last loaded them (the caller
 * calls it first), so that the answer matches the generation the caller
 * took, even if an invalidation arrives in between.
 */
const TrustedIssuer *
issuer_for_claims(Jsonb *claims)
{
	JsonbValue *iss = auth_jsonb_member(claims, "iss");

	if (iss == NULL || iss->type != jbvString)
		return NULL;
	for (int i = 0; i < nissuers; i++)
		if (strlen(issuers[i].issuer) == (size_t) iss->val.string.len &&
			memcmp(issuers[i].issuer, iss->val.string.val, iss->val.string.len) == 0)
			return &issuers[i];
	return NULL;
}

/* Verifies the signature with the issuer's keys only; PT401 otherwise. */
void
issuer_verify(const TrustedIssuer *is, const char *token, ParsedJws *p)
{
	bool		tried = false;

	if ((is->algs & (1u << p->alg)) == 0)
		jws_token_invalid("The token's algorithm is not allowed for its issuer.");
	for (int i = 0; i < is->nkeys; i++)
	{
		IssuerKey  *k = &is->keys[i];

		if (p->kid && strcmp(k->kid, p->kid) != 0)
			continue;
		if ((k->algs & (1u << p->alg)) == 0 || !auth_key_fits(k->key, p->alg))
		{
			if (p->kid)
				jws_token_invalid("The token's algorithm does not match its key.");
			continue;
		}
		tried = true;
		if (jws_verify_signature(k->key, p->alg, token, p->seg.signing_input_len,
								 p->sig, p->sig_len) == NULL)
			return;
	}
	if (p->kid && !tried)
		jws_token_invalid("The token's key (\"kid\") is not among its issuer's keys.");
	if (!tried)
		jws_token_invalid("No key of the token's issuer serves its algorithm.");
	jws_token_invalid("The signature does not match the issuer's key.");
}

/* Times with the issuer's leeway, its audiences, its required claims. */
void
issuer_check_claims(const TrustedIssuer *is, Jsonb *claims, const JwtTimes *t)
{
	jwt_check_times_leeway(t, is->leeway >= 0 ? is->leeway : jwt_leeway_seconds());
	if (is->naud > 0)
	{
		JsonbValue *v = auth_jsonb_member(claims, "aud");
		bool		ok = false;

		for (int i = 0; i < is->naud && v && !ok; i++)
		{
			JsonbValue	want;

			want.type = jbvString;
			want.val.string.val = is->audience[i];
			want.val.string.len = strlen(is->audience[i]);
			if (v->type == jbvString)
				ok = v->val.string.len == want.val.string.len &&
					memcmp(v->val.string.val, want.val.string.val, want.val.string.len) == 0;
			else if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
				ok = findJsonbValueFromContainer(v->val.binary.data, JB_FARRAY, &want) != NULL;
		}
		if (!ok)
			jws_token_invalid("The token's \"aud\" includes none of its issuer's audiences.");
	}
	for (int i = 0; i < is->nrequired; i++)
		if (auth_jsonb_member(claims, is->required[i]) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_AUTH_INVALID_TOKEN),
					 errmsg("Invalid token"),
					 errdetail("The token has no \"%s\" claim, which its issuer requires.",
							   is->required[i])));
}

/*
 * The identity of an external token: user id from user_id_claim (refused
 * when present but not a string), role from role_claim or default_role,
 * never a local uuid (see the file header).
 */
void
issuer_set_identity(const TrustedIssuer *is, Jsonb *claims, const char *text)
{
	JsonbValue *uid = auth_jsonb_member(claims, is->user_id_claim);
	const char *role = is->default_role;
	int			role_len = role ? (int) strlen(role) : -1;
	JsonbValue *v = NULL;

	if (uid && uid->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The claim \"%s\" must be a string.", is->user_id_claim)));
	if (is->nrole_path > 0)
	{
		Jsonb	   *obj = claims;

		for (int i = 0; i < is->nrole_path; i++)
		{
			v = auth_jsonb_member(obj, is->role_path[i]);
			if (v == NULL || i == is->nrole_path - 1)
				break;
			if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
			{
				v = NULL;
				break;
			}
			obj = JsonbValueToJsonb(v);
		}
	}
	if (v && v->type == jbvString)
	{
		role = v->val.string.val;
		role_len = v->val.string.len;
	}
	auth_identity_set_mapped(claims, text,
							 uid ? uid->val.string.val : NULL,
							 uid ? uid->val.string.len : -1,
							 role, role_len);
}
