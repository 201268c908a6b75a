/*-------------------------------------------------------------------------
 *
 * keyring.c
 *	  Per-backend cache of table auth.keys: every key parsed once per
 *	  backend and key version into an AuthKey (EVP_PKEY or HMAC secret,
 *	  with reusable contexts), so verifying a token reads no table and
 *	  parses no PEM or JWK.
 *
 * The statement trigger auth._invalidate_cache() on auth.keys makes every
 * backend drop this cache at the commit of any key change (create, import,
 * retire, delete, restore), so a rotation or retirement takes effect at
 * once everywhere.  The invalidation callback only marks the cache stale;
 * the old keys are freed at the next lookup, never under a caller that
 * still uses one.  keyring_generation() changes with every invalidation,
 * which is how the verified-token cache knows its entries are stale.
 *
 * The signing key is the newest non-retired key that has private material
 * and was not imported.  There is no "signing" flag, so a pg_dump restore
 * (which runs CREATE EXTENSION, creating a fresh key, before restoring the
 * dumped rows) cannot end with two of them.
 *
 * src/tokens/keyring.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "tokens.h"

typedef struct LoadedKey
{
	KeyringEntry e;
	TimestampTz created_at;
} LoadedKey;

static MemoryContext keyring_cxt = NULL;
static LoadedKey *keys = NULL;
static int	nkeys = 0;
static KeyringEntry **key_ptrs = NULL;
static int	signing = -1;		/* index into keys, or -1 */
static bool keyring_valid = false;
static uint64 generation = 1;

static void
keyring_reset(void)
{
	keyring_valid = false;
	generation++;
}

void
keyring_init(void)
{
	auth_watch_table("keys", keyring_reset);
}

typedef struct LoadState
{
	MemoryContext cxt;
	int			att[7];			/* attnos (0-based) of the columns below */
	LoadedKey  *keys;
	int			nkeys;
	int			cap;
} LoadState;

static const char *const columns[7] = {
	"kid", "algorithm", "public_jwk", "private_key", "verify_only",
	"created_at", "retired_at"
};

/* What auth_parse_or_skip() runs for one key. */
typedef struct ParseKey
{
	LoadedKey  *k;
	bytea	   *priv;
	MemoryContext cxt;
} ParseKey;

static void
parse_key(void *arg)
{
	ParseKey   *pk = (ParseKey *) arg;

	pk->k->e.key = auth_key_from_stored(pk->k->e.alg, pk->k->e.public_jwk,
										pk->priv ? (unsigned char *) VARDATA(pk->priv) : NULL,
										pk->priv ? VARSIZE(pk->priv) - VARHDRSZ : 0, pk->cxt);
}

static void
load_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	LoadState  *st = (LoadState *) arg;
	Datum	   *d = palloc(desc->natts * sizeof(Datum));
	bool	   *isnull = palloc(desc->natts * sizeof(bool));
	MemoryContext old;
	LoadedKey  *k;
	char	   *alg;
	bytea	   *priv = NULL;

	if (st->att[0] < 0)
		auth_table_columns(desc, "keys", columns, 7, st->att);
	heap_deform_tuple(tuple, desc, d, isnull);
	if (isnull[st->att[0]] || isnull[st->att[1]] || isnull[st->att[2]])
		return;

	old = MemoryContextSwitchTo(st->cxt);
	if (st->nkeys == st->cap)
	{
		st->cap = st->cap ? st->cap * 2 : 8;
		st->keys = st->keys ? repalloc(st->keys, st->cap * sizeof(LoadedKey))
			: palloc(st->cap * sizeof(LoadedKey));
	}
	k = &st->keys[st->nkeys];
	memset(k, 0, sizeof(*k));
	k->e.kid = TextDatumGetCString(d[st->att[0]]);
	alg = TextDatumGetCString(d[st->att[1]]);
	k->e.alg = jws_alg_lookup(alg, strlen(alg));
	k->e.public_jwk = DatumGetJsonbPCopy(d[st->att[2]]);
	if (!isnull[st->att[3]])
		priv = DatumGetByteaPCopy(d[st->att[3]]);
	k->e.verify_only = !isnull[st->att[4]] && DatumGetBool(d[st->att[4]]);
	k->created_at = isnull[st->att[5]] ? 0 : DatumGetTimestampTz(d[st->att[5]]);
	k->e.retired = !isnull[st->att[6]];
	if (k->e.alg != JWS_ALG_INVALID)
	{
		ParseKey	pk = {k, priv, st->cxt};

		if (auth_parse_or_skip(parse_key, &pk, st->cxt,
							   psprintf("key \"%s\" in auth.keys", k->e.kid)))
			st->nkeys++;
	}
	if (priv)
	{
		explicit_bzero(VARDATA(priv), VARSIZE(priv) - VARHDRSZ);
		pfree(priv);
	}
	MemoryContextSwitchTo(old);
}

static void
keyring_load(void)
{
	uint64		gen = generation;
	MemoryContext cxt;
	LoadState	st;

	memset(&st, 0, sizeof(st));
	st.att[0] = -1;
	auth_table_load("keys", "auth_ext keyring", load_row, &st, &st.cxt);
	cxt = st.cxt;

	/* nobody holds an old entry between calls: free the old keys now */
	if (keyring_cxt)
		MemoryContextDelete(keyring_cxt);
	keyring_cxt = cxt;
	keys = st.keys;
	nkeys = st.nkeys;
	key_ptrs = MemoryContextAlloc(cxt, (nkeys + 1) * sizeof(KeyringEntry *));
	signing = -1;
	for (int i = 0; i < nkeys; i++)
	{
		LoadedKey  *k = &keys[i];

		key_ptrs[i] = &k->e;
		if (k->e.retired || k->e.verify_only || !k->e.key->has_private)
			continue;
		if (signing < 0 || k->created_at > keys[signing].created_at ||
			(k->created_at == keys[signing].created_at &&
			 strcmp(k->e.kid, keys[signing].e.kid) > 0))
			signing = i;
	}
	/*
	 * An invalidation that arrived while loading: load again next time.
	 * Likewise for a load in parallel mode, should one ever happen there:
	 * it could only use the query's snapshot, older than the latest.
	 */
	keyring_valid = (gen == generation) && !IsInParallelMode();
}

/*
 * Every use of the keyring first accepts pending invalidations (as taking a
 * lock would), so a key retired, deleted or replaced by a transaction that
 * committed in another session counts from that moment on, also inside a
 * transaction that was already open and had used the cached keyring
 * (docs/70_findings.md, finding 8).  With nothing pending this is a read of
 * one flag in shared memory.
 */
static inline void
keyring_ensure(void)
{
	AcceptInvalidationMessages();
	if (unlikely(!keyring_valid))
		keyring_load();
}

uint64
keyring_generation(void)
{
	keyring_ensure();
	return generation;
}

/* The key with this kid, retired or not, or NULL. */
KeyringEntry *
keyring_find(const char *kid)
{
	keyring_ensure();
	for (int i = 0; i < nkeys; i++)
		if (strcmp(keys[i].e.kid, kid) == 0)
			return &keys[i].e;
	return NULL;
}

/* Active keys of algorithm alg (for tokens without kid), up to max. */
int
keyring_candidates(JwsAlg alg, KeyringEntry **out, int max)
{
	int			n = 0;

	keyring_ensure();
	for (int i = 0; i < nkeys && n < max; i++)
		if (!keys[i].e.retired && keys[i].e.alg == alg)
			out[n++] = &keys[i].e;
	return n;
}

KeyringEntry *
keyring_signing_key(void)
{
	keyring_ensure();
	return signing >= 0 ? &keys[signing].e : NULL;
}

int
keyring_all(KeyringEntry ***out)
{
	keyring_ensure();
	*out = key_ptrs;
	return nkeys;
}
