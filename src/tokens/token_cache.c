/*-------------------------------------------------------------------------
 *
 * token_cache.c
 *	  A bounded per-backend cache of tokens whose signature this backend
 *	  verified against the keyring, so that verifying the same token again
 *	  (every request of a session carries it) costs a hash and a compare
 *	  instead of a signature check and a JSON parse.
 *
 * What it keeps per entry: the full token bytes, the claims (jsonb) and the
 * parsed time claims, in one allocation.  What a hit still does, in jwt.c:
 * exp/nbf/iat against the current time, iss/aud against the settings, the
 * revocation check and setting the identity.  A hit requires the full token
 * bytes to be equal (compared in constant time; the hash, of the token's
 * last 32 bytes, only picks the bucket) and the keyring generation the
 * cache was filled under: a store or lookup under another generation (any
 * change to auth.keys) empties the whole cache first.
 *
 * Shape: a chained hash table of TOKEN_CACHE_BUCKETS buckets plus an LRU
 * list (a hit moves the entry to the front; a store evicts from the back).
 *
 * Admission (scan resistance): while the cache has room, every verified
 * token is stored.  Once its budget is reached, a token gets in only at its
 * second verification: the first one just sets the token's bit in a
 * doorkeeper bitmap (TinyLFU's), cleared after every DOORKEEPER_BITS / 8
 * marks.  A burst of tokens seen once (a scan, a flood of new or forged
 * sessions) then neither evicts the tokens clients keep re-sending nor
 * pays for a copy and an eviction each.
 *
 * Memory bound: entries are charged the allocator's chunk space of their
 * allocation (entry header + claims + token); a store evicts least recently
 * used entries until the total stays within TOKEN_CACHE_BUDGET (4 MiB).
 * Tokens over TOKEN_CACHE_MAX_TOKEN (2 KiB) or with claims over
 * TOKEN_CACHE_MAX_CLAIMS (4 KiB) are not cached.  Freed chunks stay in the
 * cache's memory context for reuse; should that context ever hold more
 * than TOKEN_CACHE_HARD_LIMIT (8 MiB, e.g. after token sizes shift and
 * free chunks of the old sizes pile up), the cache is emptied and its
 * context reset.  So the cache never takes more than 8 MiB plus the
 * bucket array (64 KiB) per backend, however many tokens it sees; with
 * typical tokens (about 300 bytes, 1 KiB chunk per entry) 4 MiB holds
 * about 4,000 tokens.
 *
 * src/tokens/token_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "token_cache.h"

typedef TokenCacheEntry CacheEntry;

#define ENTRY_HEADER MAXALIGN(sizeof(CacheEntry))

static MemoryContext cache_cxt = NULL;
static CacheEntry **buckets = NULL;		/* TOKEN_CACHE_BUCKETS, allocated once */
static dlist_head lru_list = DLIST_STATIC_INIT(lru_list);
static Size cache_used = 0;
static int	cache_count = 0;
static uint64 cache_gen = 0;

#define DOORKEEPER_BITS (1 << 16)
static uint64 doorkeeper[DOORKEEPER_BITS / 64];
static int	doorkeeper_marks = 0;

/*
 * True when the token of hash was let in by the doorkeeper before (since
 * its last clearing); otherwise marks it and returns false.
 */
static bool
doorkeeper_seen(uint32 hash)
{
	uint32		bit = (hash * 0x9E3779B1u) >> 16;	/* 16 bits, not the bucket's */
	uint64		mask = UINT64CONST(1) << (bit % 64);

	if (doorkeeper[bit / 64] & mask)
		return true;
	doorkeeper[bit / 64] |= mask;
	if (++doorkeeper_marks >= DOORKEEPER_BITS / 8)
	{
		memset(doorkeeper, 0, sizeof(doorkeeper));
		doorkeeper_marks = 0;
	}
	return false;
}

/* Empties the cache: every entry goes. */
static void
cache_flush(void)
{
	if (cache_cxt)
		MemoryContextReset(cache_cxt);
	if (buckets)
		memset(buckets, 0, TOKEN_CACHE_BUCKETS * sizeof(CacheEntry *));
	dlist_init(&lru_list);
	cache_used = 0;
	cache_count = 0;
}

/* Empties the cache unless it was filled under keyring generation gen. */
static void
cache_set_generation(uint64 gen)
{
	if (cache_gen != gen)
	{
		cache_flush();
		cache_gen = gen;
	}
}

static CacheEntry **
bucket_of(uint32 hash)
{
	return &buckets[hash & (TOKEN_CACHE_BUCKETS - 1)];
}

static void
evict(CacheEntry *e)
{
	CacheEntry **pp = bucket_of(e->hash);

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	dlist_delete(&e->lru);
	cache_used -= e->space;
	cache_count--;
	pfree(e);
}

/*
 * The bucket hash of a token: its last bytes, which are signature bytes of
 * every well-formed token (pseudo-random).  A crafted token can only pick
 * its own bucket, and only tokens whose signature verified get in;
 * equality is always decided on the full token.
 */
uint32
token_cache_hash(const char *token, int len)
{
	int			n = Min(len, 32);

	return hash_bytes((const unsigned char *) token + len - n, n);
}

/* The entry of a cached token, or NULL. */
TokenCacheEntry *
token_cache_lookup(const char *token, int len, uint32 hash, uint64 keyring_gen)
{
	CacheEntry *e;

	if (len > TOKEN_CACHE_MAX_TOKEN)
		return NULL;
	cache_set_generation(keyring_gen);
	if (buckets == NULL)
		return NULL;
	for (e = *bucket_of(hash); e; e = e->next)
	{
		if (e->hash == hash && e->len == len &&
			CRYPTO_memcmp(e->token, token, len) == 0)
		{
			dlist_move_head(&lru_list, &e->lru);
			return e;
		}
	}
	return NULL;
}

/*
 * Caches a token verified under keyring generation keyring_gen, with its
 * claims, their time claims and their text form.  Returns the entry, or
 * NULL when the token or its claims are too large to be cached.
 */
TokenCacheEntry *
token_cache_store(const char *token, int len, uint32 hash, uint64 keyring_gen,
				  Jsonb *claims, const JwtTimes *times, const char *claims_text)
{
	CacheEntry *e;
	Size		claims_size = MAXALIGN(VARSIZE(claims));
	Size		text_size = strlen(claims_text) + 1;

	if (len > TOKEN_CACHE_MAX_TOKEN || VARSIZE(claims) > TOKEN_CACHE_MAX_CLAIMS)
		return NULL;
	cache_set_generation(keyring_gen);
	/* full: only a token verified before gets in (see the file header) */
	if (cache_used + ENTRY_HEADER + claims_size + text_size + len > TOKEN_CACHE_BUDGET &&
		!doorkeeper_seen(hash))
		return NULL;
	if (cache_cxt == NULL)
	{
		/*
		 * Blocks of one modest size: they come from the heap rather than
		 * from mmap, and freed chunks are reused, so a full cache that
		 * keeps evicting touches no new memory (page faults are dear).
		 */
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "auth_ext token cache",
										  0, TOKEN_CACHE_BLOCK, TOKEN_CACHE_BLOCK);
		buckets = MemoryContextAllocZero(TopMemoryContext,
										 TOKEN_CACHE_BUCKETS * sizeof(CacheEntry *));
	}
	else if (MemoryContextMemAllocated(cache_cxt, false) > TOKEN_CACHE_HARD_LIMIT)
		cache_flush();

	/* never twice: should the token be there already, the new entry replaces it */
	for (e = *bucket_of(hash); e; e = e->next)
	{
		if (e->hash == hash && e->len == len &&
			CRYPTO_memcmp(e->token, token, len) == 0)
		{
			evict(e);
			break;
		}
	}

	e = MemoryContextAlloc(cache_cxt, ENTRY_HEADER + claims_size + text_size + len);
	e->space = GetMemoryChunkSpace(e);
	while (cache_used + e->space > TOKEN_CACHE_BUDGET && !dlist_is_empty(&lru_list))
		evict(dlist_tail_element(CacheEntry, lru, &lru_list));
	e->claims = (Jsonb *) ((char *) e + ENTRY_HEADER);
	memcpy(e->claims, claims, VARSIZE(claims));
	e->claims_text = (char *) e->claims + claims_size;
	memcpy(e->claims_text, claims_text, text_size);
	e->token = e->claims_text + text_size;
	memcpy(e->token, token, len);
	e->hash = hash;
	e->len = len;
	e->times = *times;
	e->revocation_gen = 0;
	e->next = *bucket_of(hash);
	*bucket_of(hash) = e;
	dlist_push_head(&lru_list, &e->lru);
	cache_used += e->space;
	cache_count++;
	return e;
}
