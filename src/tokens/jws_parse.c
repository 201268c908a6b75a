/*-------------------------------------------------------------------------
 *
 * jws_parse.c
 *	  Parsing a JWS compact token up to its signature: the size cap, the
 *	  three segments, strict base64url, and the protected header (a JSON
 *	  object without duplicate members, no "crit", a supported "alg", an
 *	  optional string "kid"), read with PostgreSQL's JSON lexer so that
 *	  duplicate members are seen (jsonb would silently keep the last one).
 *	  Also the decoding of JSON segments into jsonb after a nesting-depth
 *	  scan, so that claims nested thousands deep get a clean PT401.
 *
 * Every failure raises PT401 "Invalid token" with the reason in errdetail;
 * the token never appears in a message.
 *
 * src/tokens/jws_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "base64url.h"
#include "jws_parse.h"
#include "pg_compat.h"

/* ---- errors ---- */

void
jws_token_invalid(const char *detail)
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

static AUTH_JSON_CB
hdr_struct_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 1 && st->field &&
		(strcmp(st->field, "alg") == 0 || strcmp(st->field, "kid") == 0) && !st->problem)
		st->problem = "The header members \"alg\" and \"kid\" must be strings.";
	st->depth++;
	return AUTH_JSON_CB_OK;
}

static AUTH_JSON_CB
hdr_object_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 0)
		st->is_object = true;
	hdr_struct_start(arg);
	return AUTH_JSON_CB_OK;
}

static AUTH_JSON_CB
hdr_array_start(void *arg)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth == 0)
		st->not_object = true;
	hdr_struct_start(arg);
	return AUTH_JSON_CB_OK;
}

static AUTH_JSON_CB
hdr_struct_end(void *arg)
{
	((HeaderState *) arg)->depth--;
	return AUTH_JSON_CB_OK;
}

static AUTH_JSON_CB
hdr_field_start(void *arg, char *fname, bool isnull)
{
	HeaderState *st = (HeaderState *) arg;

	if (st->depth != 1)
		return AUTH_JSON_CB_OK;
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
	return AUTH_JSON_CB_OK;
}

static AUTH_JSON_CB
hdr_scalar(void *arg, char *token, JsonTokenType tokentype)
{
	HeaderState *st = (HeaderState *) arg;
	char	  **slot = NULL;

	if (st->depth == 0)
	{
		st->not_object = true;
		return AUTH_JSON_CB_OK;
	}
	if (st->depth != 1 || st->field == NULL)
		return AUTH_JSON_CB_OK;
	if (strcmp(st->field, "alg") == 0)
		slot = &st->alg;
	else if (strcmp(st->field, "kid") == 0)
		slot = &st->kid;
	if (slot == NULL)
		return AUTH_JSON_CB_OK;
	if (tokentype != JSON_TOKEN_STRING)
	{
		if (!st->problem)
			st->problem = "The header members \"alg\" and \"kid\" must be strings.";
		return AUTH_JSON_CB_OK;
	}
	*slot = token;
	return AUTH_JSON_CB_OK;
}

static void
decode_segment(const char *b64, size_t len, const char *what,
			   unsigned char **out, size_t *out_len)
{
	long		n;

	*out = palloc(B64URL_DEC_LEN(len) + 1);
	n = b64url_decode(b64, len, *out);
	if (n < 0)
		jws_token_invalid(jws_alphabet_ok(b64, len) ?
						  psprintf("The %s is not valid base64url.", what) :
						  JWS_BAD_CHAR_DETAIL);
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
	if (!json_depth_within((const char *) text, len, max_depth))
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
		jws_token_invalid("The header is not valid JSON.");
	if (!st.is_object || st.not_object)
		jws_token_invalid("The header is not a JSON object.");
	if (st.problem)
		jws_token_invalid(st.problem);
	if (st.has_crit)
		jws_token_invalid("The header lists critical extensions (\"crit\"), and none is supported.");
	if (st.alg == NULL)
		jws_token_invalid("The header has no \"alg\".");
	if (strcmp(st.alg, "none") == 0)
		jws_token_invalid("Unsecured tokens (\"alg\": \"none\") are never accepted.");
	out->alg = jws_alg_lookup(st.alg, strlen(st.alg));
	if (out->alg == JWS_ALG_INVALID)
		jws_token_invalid("The header's \"alg\" is not a supported algorithm.");
	out->kid = st.kid;
	header_cache_store(out, json_nesting_depth((const char *) hdr, hdr_len, jwt_max_depth()));
}

/*
 * Splits and decodes a compact JWS up to its signature: checks the size
 * cap, the segments, the header (a JSON object, no duplicate members, no
 * "crit", a supported "alg") and decodes the signature.
 */
void
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
		jws_token_invalid(jws_split_error(r));
	if (!header_cache_lookup(out))
		parse_header(out);
	decode_segment(out->seg.signature, out->seg.signature_len, "signature",
				   &out->sig, &out->sig_len);
}

/*
 * Decodes a JSON segment into jsonb.  When text_out is given, it receives
 * the decoded text the jsonb was parsed from (palloc'd, NUL-terminated):
 * jsonb_in of that text gives this same jsonb again, so it can stand for
 * the claims wherever they travel as text (the identity setting).
 */
Jsonb *
jws_parse_json_segment(const char *b64, size_t len, const char *what, char **text_out)
{
	unsigned char *text;
	size_t		text_len;
	Jsonb	   *jb;

	decode_segment(b64, len, what, &text, &text_len);
	check_json_text(text, text_len, what);
	jb = auth_jsonb_parse((char *) text);
	if (jb == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is not valid JSON.", what)));
	if (text_out)
		*text_out = (char *) text;
	else
		pfree(text);
	return jb;
}
