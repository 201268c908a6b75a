/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  JWS compact tokens and JWT claims: parsing (strict base64url, a
 *	  protected header that is a JSON object without duplicate members,
 *	  no "crit", an "alg" bound to the key, never "none"), claim checks
 *	  (exp/nbf/iat numbers only, iss, aud, leeway) and the SQL functions
 *	  jws_verify, jwt_decode, jwt_decode_unverified, jwt_encode, jwt_sign,
 *	  jwt_verify (= jwt_session_init), plus auth_jwt_verify_token() for
 *	  the other areas.
 *
 * Every token failure raises PT401 with a short message ("Invalid token",
 * "Token expired, please log in again", "Token not yet valid") and the
 * reason in errdetail; neither the token nor any key appears in a message.
 * JSON is parsed by PostgreSQL itself (the json lexer for the header, so
 * duplicate members are seen; jsonb for claims), after a cheap nesting
 * scan so that claims nested thousands deep get a clean PT401.
 *
 * Time claims are compared with the statement start time, so jwt_verify is
 * STABLE: within a statement a token is valid or not, consistently.
 *
 * src/jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "base64url.h"
#include "jws_split.h"
#include "token_cache.h"
#include "tokens.h"

/* PG16 made the JSON parser callbacks return an error code. */
#if PG_VERSION_NUM >= 160000
#define JSON_CB JsonParseErrorType
#define JSON_CB_OK JSON_SUCCESS
#else
#define JSON_CB void
#define JSON_CB_OK
#endif
/* PG17 added a caller-supplied lexer argument. */
#if PG_VERSION_NUM >= 170000
#define auth_json_lexer(json, len) makeJsonLexContextCstringLen(NULL, json, len, PG_UTF8, true)
#else
#define auth_json_lexer(json, len) makeJsonLexContextCstringLen(json, len, PG_UTF8, true)
#endif

/* ---- errors ---- */

static void
pg_attribute_noreturn()
token_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_AUTH_INVALID_TOKEN),
			 errmsg("Invalid token"),
			 errdetail_internal("%s", detail)));
}

/* ---- the protected header ---- */

#define MAX_HEADER_MEMBERS 32

typedef struct HeaderState
{
	int			depth;
	bool		is_object;
	bool		not_object;
	const char *field;			/* current top-level member */
	int			nnames;
	char	   *names[MAX_HEADER_MEMBERS];
	const char *problem;		/* first problem found */
	char	   *alg;
	char	   *kid;
	bool		has_crit;
} HeaderState;

static JSON_CB
hdr_struct_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 1 && st->field &&
		(strcmp(st->field, "alg") == 0 || strcmp(st->field, "kid") == 0) && !st->problem)
		st->problem = "The header members \"alg\" and \"kid\" must be strings.";
	st->depth++;
	return JSON_CB_OK;
}

static JSON_CB
hdr_object_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 0)
		st->is_object = true;
	hdr_struct_start(arg);
	return JSON_CB_OK;
}

static JSON_CB
hdr_array_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 0)
		st->not_object = true;
	hdr_struct_start(arg);
	return JSON_CB_OK;
}

static JSON_CB
hdr_struct_end(void *arg)
{
	((HeaderState *) arg)->depth--;
	return JSON_CB_OK;
}

static JSON_CB
hdr_field_start(void *arg, char *fname, bool isnull)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth != 1)
		return JSON_CB_OK;
	for (int i = 0; i < st->nnames; i++)
		if (strcmp(st->names[i], fname) == 0 && !st->problem)
			st->problem = "The header has a duplicate member.";
	if (st->nnames < MAX_HEADER_MEMBERS)
		st->names[st->nnames++] = fname;
	else if (!st->problem)
		st->problem = "The header has too many members.";
	st->field = fname;
	if (strcmp(fname, "crit") == 0)
		st->has_crit = true;
	return JSON_CB_OK;
}

static JSON_CB
hdr_scalar(void *arg, char *token, JsonTokenType tokentype)
{
	HeaderState *st = (HeaderState *) arg;
	char	  **slot = NULL;

	if (st->depth == 0)
	{
		st->not_object = true;
		return JSON_CB_OK;
	}
	if (st->depth != 1 || st->field == NULL)
		return JSON_CB_OK;
	if (strcmp(st->field, "alg") == 0)
		slot = &st->alg;
	else if (strcmp(st->field, "kid") == 0)
		slot = &st->kid;
	if (slot == NULL)
		return JSON_CB_OK;
	if (tokentype != JSON_TOKEN_STRING)
	{
		if (!st->problem)
			st->problem = "The header members \"alg\" and \"kid\" must be strings.";
		return JSON_CB_OK;
	}
	*slot = token;
	return JSON_CB_OK;
}

typedef struct ParsedJws
{
	JwsSegments seg;
	JwsAlg		alg;
	char	   *kid;			/* NULL when absent */
	unsigned char *sig;
	size_t		sig_len;
} ParsedJws;

static void
decode_segment(const char *b64, size_t len, const char *what,
			   unsigned char **out, size_t *out_len)
{
	long		n;

	*out = palloc(B64URL_DEC_LEN(len) + 1);
	n = b64url_decode(b64, len, *out);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is not valid base64url.", what)));
	(*out)[n] = '\0';
	*out_len = (size_t) n;
}

/* Decoded JSON text must be UTF-8 without NUL bytes and not too deep. */
static void
check_json_text(const unsigned char *text, size_t len, const char *what)
{
	int			max_depth = jwt_max_depth();

	if (!pg_verifymbstr((const char *) text, (int) len, true))
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is not valid UTF-8 text.", what)));
	if (json_nesting_depth((const char *) text, len, max_depth) > max_depth)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is nested deeper than %d levels.", what, max_depth)));
}

/*
 * A small per-backend cache of protected headers already parsed: the tokens
 * of one issuer share their header segment byte for byte, so the common
 * case skips decoding and parsing it.  Keyed by the exact segment text;
 * holds only what the parse produced (alg, kid) and the nesting depth, so
 * a lower jwt.max_depth still applies.  HEADER_CACHE_SLOTS entries of at
 * most HEADER_CACHE_MAX bytes each, replaced round-robin.
 */
#define HEADER_CACHE_SLOTS 8
#define HEADER_CACHE_MAX 512

typedef struct HeaderCacheEntry
{
	size_t		len;			/* 0 = empty */
	char		seg[HEADER_CACHE_MAX];
	JwsAlg		alg;
	char	   *kid;			/* TopMemoryContext, or NULL */
	int			depth;
} HeaderCacheEntry;

static HeaderCacheEntry header_cache[HEADER_CACHE_SLOTS];
static int	header_cache_next = 0;

static bool
header_cache_lookup(ParsedJws *out)
{
	for (int i = 0; i < HEADER_CACHE_SLOTS; i++)
	{
		HeaderCacheEntry *e = &header_cache[i];

		if (e->len == out->seg.header_len &&
			memcmp(e->seg, out->seg.header, e->len) == 0 &&
			e->depth <= jwt_max_depth())
		{
			out->alg = e->alg;
			out->kid = e->kid ? pstrdup(e->kid) : NULL;
			return true;
		}
	}
	return false;
}

static void
header_cache_store(const ParsedJws *p, int depth)
{
	HeaderCacheEntry *e;

	if (p->seg.header_len > HEADER_CACHE_MAX)
		return;
	e = &header_cache[header_cache_next];
	header_cache_next = (header_cache_next + 1) % HEADER_CACHE_SLOTS;
	if (e->kid)
		pfree(e->kid);
	e->kid = p->kid ? MemoryContextStrdup(TopMemoryContext, p->kid) : NULL;
	memcpy(e->seg, p->seg.header, p->seg.header_len);
	e->len = p->seg.header_len;
	e->alg = p->alg;
	e->depth = depth;
}

/* Decodes and checks the protected header into out->alg and out->kid. */
static void
parse_header(ParsedJws *out)
{
	unsigned char *hdr;
	size_t		hdr_len;
	HeaderState st;
	JsonSemAction sem;
	JsonLexContext *lex;
	JsonParseErrorType perr;

	decode_segment(out->seg.header, out->seg.header_len, "header", &hdr, &hdr_len);
	check_json_text(hdr, hdr_len, "header");

	memset(&st, 0, sizeof(st));
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = hdr_object_start;
	sem.object_end = hdr_struct_end;
	sem.array_start = hdr_array_start;
	sem.array_end = hdr_struct_end;
	sem.object_field_start = hdr_field_start;
	sem.scalar = hdr_scalar;
	lex = auth_json_lexer((char *) hdr, (int) hdr_len);
	perr = pg_parse_json(lex, &sem);
	if (perr != JSON_SUCCESS)
		token_invalid("The header is not valid JSON.");
	if (!st.is_object || st.not_object)
		token_invalid("The header is not a JSON object.");
	if (st.problem)
		token_invalid(st.problem);
	if (st.has_crit)
		token_invalid("The header lists critical extensions (\"crit\"), and none is supported.");
	if (st.alg == NULL)
		token_invalid("The header has no \"alg\".");
	if (strcmp(st.alg, "none") == 0)
		token_invalid("Unsecured tokens (\"alg\": \"none\") are never accepted.");
	out->alg = jws_alg_lookup(st.alg, strlen(st.alg));
	if (out->alg == JWS_ALG_INVALID)
		token_invalid("The header's \"alg\" is not a supported algorithm.");
	out->kid = st.kid;
	header_cache_store(out, json_nesting_depth((const char *) hdr, hdr_len, jwt_max_depth()));
}

/*
 * Splits and decodes a compact JWS up to its signature: checks the size
 * cap, the segments, the header (a JSON object, no duplicate members, no
 * "crit", a supported "alg") and decodes the signature.
 */
static void
jws_parse(const char *token, size_t len, ParsedJws *out)
{
	JwsSplitResult r;
	int			max = jwt_max_token_bytes();

	if (len > (size_t) max)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The token is larger than %d bytes.", max)));
	r = jws_split(token, len, &out->seg);
	if (r != JWS_SPLIT_OK)
		token_invalid(jws_split_error(r));
	if (!header_cache_lookup(out))
		parse_header(out);
	decode_segment(out->seg.signature, out->seg.signature_len, "signature",
				   &out->sig, &out->sig_len);
}

static void
verify_with(AuthKey *key, const char *token, ParsedJws *p)
{
	const char *problem;

	if (!auth_key_fits(key, p->alg))
		token_invalid("The token's algorithm does not match its key.");
	problem = jws_verify_signature(key, p->alg, token, p->seg.signing_input_len,
								   p->sig, p->sig_len);
	if (problem)
		token_invalid(problem);
}

/* ---- claims ---- */

static Jsonb *
parse_json_segment(const char *b64, size_t len, const char *what)
{
	unsigned char *text;
	size_t		text_len;
	Jsonb	   *volatile jb = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	decode_segment(b64, len, what, &text, &text_len);
	check_json_text(text, text_len, what);
	PG_TRY();
	{
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum((char *) text)));
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(cxt);
		ed = CopyErrorData();
		/* bad JSON (22xxx) or too deep/large (54xxx): the token's fault */
		if (ERRCODE_TO_CATEGORY(ed->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(ed->sqlerrcode) != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is not valid JSON.", what)));
	}
	PG_END_TRY();
	return jb;
}

static Jsonb *
parse_claims(ParsedJws *p)
{
	Jsonb	   *claims = parse_json_segment(p->seg.payload, p->seg.payload_len, "payload");

	if (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims))
		token_invalid("The payload is not a JSON object.");
	return claims;
}

#define claim auth_jsonb_member

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

static int64
statement_time(void)
{
	return (int64) timestamptz_to_time_t(GetCurrentStatementStartTimestamp());
}

/* exp (required), nbf and iat against the statement time with leeway. */
void
jwt_check_times(const JwtTimes *t)
{
	int64		now = statement_time();
	int64		leeway = jwt_leeway_seconds();

	if (!t->has_exp)
		token_invalid("The token has no \"exp\" claim.");
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
		token_invalid("The token's \"iat\" is in the future.");
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
			token_invalid("The token's \"iss\" is not the configured issuer.");
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
			token_invalid("The token's \"aud\" does not include the configured audience.");
	}
}

/* ---- verification against the keyring ---- */

#define MAX_CANDIDATES 16

static Jsonb *
verify_with_keyring(const char *token, size_t len)
{
	ParsedJws	p;

	jws_parse(token, len, &p);
	if (p.kid)
	{
		KeyringEntry *e = keyring_find(p.kid);

		if (e == NULL)
			token_invalid("The token's key (\"kid\") is unknown.");
		if (e->retired)
			token_invalid("The token's key (\"kid\") was retired.");
		if (e->alg != p.alg)
			token_invalid("The token's algorithm does not match its key.");
		verify_with(e->key, token, &p);
	}
	else
	{
		KeyringEntry *cand[MAX_CANDIDATES];
		int			n = keyring_candidates(p.alg, cand, MAX_CANDIDATES);
		bool		ok = false;

		if (n == 0)
			token_invalid("No active key of the token's algorithm.");
		for (int i = 0; i < n && !ok; i++)
			ok = jws_verify_signature(cand[i]->key, p.alg, token,
									  p.seg.signing_input_len, p.sig, p.sig_len) == NULL;
		if (!ok)
			token_invalid("The signature does not match any active key.");
	}
	return parse_claims(&p);
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
	JwtTimes	times;
	uint64		gen;
	uint32		hash;
	int			max = jwt_max_token_bytes();

	if (len > max)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The token is larger than %d bytes.", max)));
	/*
	 * The generation is taken once, before verifying: if auth.keys changes
	 * while we verify (an invalidation can be processed whenever a table
	 * is opened), the entry is stored under the old generation and is
	 * stale at once.
	 */
	gen = keyring_generation();
	hash = token_cache_hash(token, len);
	claims = token_cache_lookup(token, len, hash, gen, &times);
	if (claims == NULL)
	{
		claims = verify_with_keyring(token, len);
		jwt_read_times(claims, &times);
		token_cache_store(token, len, hash, gen, claims, &times);
	}
	jwt_check_times(&times);
	jwt_check_issuer_audience(claims);
	auth_revocation_check(claims);
	auth_identity_set(claims);
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

/* ---- explicit keys ---- */

/* 22023 unless the caller's key fits alg, saying why. */
static void
require_fit(const AuthKey *key, JwsAlg alg)
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

static void
verify_explicit(text *token, text *keytext, ArrayType *algs, ParsedJws *p)
{
	uint32		mask = allowed_algorithms(algs);
	AuthKey    *key;

	jws_parse(VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), p);
	if ((mask & (1u << p->alg)) == 0)
		token_invalid("The token's algorithm is not among the allowed algorithms.");
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

	verify_explicit(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1), PG_GETARG_ARRAYTYPE_P(2), &p);
	out = palloc(VARHDRSZ + B64URL_DEC_LEN(p.seg.payload_len) + 1);
	n = b64url_decode(p.seg.payload, p.seg.payload_len, (unsigned char *) VARDATA(out));
	if (n < 0)
		token_invalid("The payload is not valid base64url.");
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
	require_fit(key, alg);
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

	verify_explicit(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1), PG_GETARG_ARRAYTYPE_P(2), &p);
	claims = parse_claims(&p);
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
	parts[0] = parse_json_segment(p.seg.header, p.seg.header_len, "header");
	parts[1] = parse_json_segment(p.seg.payload, p.seg.payload_len, "payload");
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
	require_fit(key, alg);
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
	int64		now = statement_time();
	const char *names[5];
	JsonbValue	vals[5];
	int			n = 0;
	const char *iss = jwt_issuer();
	const char *aud = jwt_audience();
	const char *hnames[3] = {"alg", "kid", "typ"};
	JsonbValue	hvals[3];

	require_object(claims, "claims");
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
