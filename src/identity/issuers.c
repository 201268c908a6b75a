/*-------------------------------------------------------------------------
 *
 * issuers.c
 *	  Tokens from other identity providers (issue 15): the per-backend cache
 *	  of table auth.trusted_issuers (each issuer's public keys parsed once,
 *	  its audiences and claim mapping), and the parts of auth.jwt_verify()
 *	  that serve a token whose "iss" names a trusted issuer: verification
 *	  with that issuer's keys only, its audiences, required claims and
 *	  leeway, and its identity mapping.
 *
 * Trust domains.  A token whose "iss" is a trusted issuer is verified with
 * that issuer's keys and nothing else; any other token only with our own
 * keyring (jwt.c).  So no key ever verifies a token of another issuer.  An
 * external token never gets auth.uid() from its claims: its auth.user_id()
 * is the provider's subject (user_id_claim) as text, so a provider's "sub"
 * that happens to equal a local user's uuid is not that user.  Only a link
 * in auth.identities, made by the owner or by provisioning (linking.c),
 * gives it a local user.
 *
 * Keys and options are checked and parsed by issuers_check.c.
 *
 * Rotation.  auth.trust_issuer() replaces an issuer's row (its whole key
 * set) in one statement; the statement trigger auth._invalidate_cache()
 * makes every backend drop this cache at commit, and every use first
 * accepts pending invalidations (as the keyring does), so a removed kid is
 * refused at once everywhere.  issuers_generation() is part of the
 * verified-token cache's generation.
 *
 * src/identity/issuers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/uuid.h"

#include "issuers.h"
#include "linking.h"

static MemoryContext issuers_cxt = NULL;
static TrustedIssuer *issuers = NULL;
static int	nissuers = 0;
static bool issuers_valid = false;
static uint64 generation = 1;

/* ---- the cache ---- */

static void
issuers_reset(void)
{
	issuers_valid = false;
	generation++;
}

void
auth_issuers_init(void)
{
	auth_watch_table("trusted_issuers", issuers_reset);
	links_init();
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
	issuer_parse_options(DatumGetJsonbP(d[att[3]]), is);
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
		issuer_bad_option("stored issuer keys are not an array", NULL);
	n = JsonContainerSize(&keys->root);
	is->keys = palloc0(sizeof(IssuerKey) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *k;

		e = getIthJsonbValueFromContainer(&keys->root, i);
		if (e->type != jbvBinary)
			issuer_bad_option("stored issuer key is not an object", NULL);
		k = JsonbValueToJsonb(e);
		e = auth_jsonb_member(k, "jwk");
		if (e == NULL || e->type != jbvBinary)
			issuer_bad_option("stored issuer key has no \"jwk\"", NULL);
		/* parsed again as trust_issuer did; the stored kid is kept */
		issuer_parse_key(JsonbValueToJsonb(e), is->algs, &is->keys[i]);
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
	JsonbValue *iss;

	if (nissuers == 0)
		return NULL;			/* nothing trusted: no lookup at all */
	iss = auth_jsonb_member(claims, "iss");
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
 * never a local uuid (see the file header) unless the owner linked the
 * subject to a local user in auth.identities, or the issuer provisions
 * (linking.c): then auth.uid() is that user and auth.user_id() its uuid as
 * text, whichever provider the person signed in with.
 */
void
issuer_set_identity(const TrustedIssuer *is, Jsonb *claims, const char *text)
{
	JsonbValue *uid = auth_jsonb_member(claims, is->user_id_claim);
	const char *role = is->default_role;
	int			role_len = role ? (int) strlen(role) : -1;
	JsonbValue *v = NULL;
	pg_uuid_t	local;

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
	if (uid && uid->val.string.len > 0 &&
		auth_link_local_user(is->issuer, uid->val.string.val, uid->val.string.len,
							 claims, is->provision, &local))
	{
		char	   *s = DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&local)));

		auth_identity_set_mapped(claims, text, s, strlen(s), role, role_len, &local);
		return;
	}
	auth_identity_set_mapped(claims, text,
							 uid ? uid->val.string.val : NULL,
							 uid ? uid->val.string.len : -1,
							 role, role_len, NULL);
}

/* How many issuers are trusted (auth.init()'s setup check). */
int
issuers_count(void)
{
	issuers_ensure();
	return nissuers;
}
