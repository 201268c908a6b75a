/*-------------------------------------------------------------------------
 *
 * token_cache.c
 *	  A bounded per-backend cache of tokens whose signature this backend
 *	  verified against the keyring, so that verifying the same token again
 *	  (every request of a session carries it) costs a hash and a compare
 *	  instead of a signature check and a JSON parse.
 *
 * What it keeps per entry: the full token bytes, the claims (jsonb) and the
 * parsed time claims.  What a hit still does, in jwt.c: exp/nbf/iat against
 * the current time, iss/aud against the settings, the revocation check and
 * setting the identity.  A hit requires the same keyring generation (any
 * change to auth.keys makes every entry stale) and the full token bytes to
 * be equal (compared in constant time; the hash, of the token's last 32
 * bytes, only picks the slot).
 *
 * Memory bound: TOKEN_CACHE_SLOTS (256) direct-mapped slots; tokens over
 * TOKEN_CACHE_MAX_TOKEN (2 KiB) or with claims over TOKEN_CACHE_MAX_CLAIMS
 * (4 KiB) are not cached.  A new entry replaces the slot's old one, whose
 * memory is freed.  So the cache never holds more than 256 * (2 KiB +
 * 4 KiB + ~64 bytes) = about 1.5 MiB, however many tokens a backend sees.
 *
 * src/token_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "token_cache.h"

typedef struct CacheEntry
{
	uint64		gen;			/* keyring generation; 0 = empty */
	uint32		hash;
	int			len;
	char	   *token;
	Jsonb	   *claims;
	JwtTimes	times;
} CacheEntry;

static CacheEntry slots[TOKEN_CACHE_SLOTS];
static MemoryContext cache_cxt = NULL;

static void
clear_entry(CacheEntry *e)
{
	if (e->token)
		pfree(e->token);
	if (e->claims)
		pfree(e->claims);
	memset(e, 0, sizeof(*e));
}

/*
 * The slot hash of a token: its last bytes, which are signature bytes of
 * every well-formed token (pseudo-random).  A crafted token can only pick
 * its own slot; equality is always decided on the full token.
 */
uint32
token_cache_hash(const char *token, int len)
{
	int			n = Min(len, 32);

	return hash_bytes((const unsigned char *) token + len - n, n);
}

/*
 * Claims of a cached token (a copy in the caller's context) and its time
 * claims, or NULL.
 */
Jsonb *
token_cache_lookup(const char *token, int len, uint32 hash, uint64 keyring_gen,
				   JwtTimes *times)
{
	CacheEntry *e;
	Jsonb	   *copy;

	if (len > TOKEN_CACHE_MAX_TOKEN)
		return NULL;
	e = &slots[hash % TOKEN_CACHE_SLOTS];
	if (e->gen == 0 || e->hash != hash || e->len != len)
		return NULL;
	if (e->gen != keyring_gen)
	{
		clear_entry(e);
		return NULL;
	}
	if (CRYPTO_memcmp(e->token, token, len) != 0)
		return NULL;
	copy = palloc(VARSIZE(e->claims));
	memcpy(copy, e->claims, VARSIZE(e->claims));
	*times = e->times;
	return copy;
}

void
token_cache_store(const char *token, int len, uint32 hash, uint64 keyring_gen,
				  Jsonb *claims, const JwtTimes *times)
{
	CacheEntry *e;

	if (len > TOKEN_CACHE_MAX_TOKEN || VARSIZE(claims) > TOKEN_CACHE_MAX_CLAIMS)
		return;
	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "auth_ext token cache",
										  ALLOCSET_DEFAULT_SIZES);
	e = &slots[hash % TOKEN_CACHE_SLOTS];
	clear_entry(e);
	e->token = MemoryContextAlloc(cache_cxt, len);
	memcpy(e->token, token, len);
	e->claims = MemoryContextAlloc(cache_cxt, VARSIZE(claims));
	memcpy(e->claims, claims, VARSIZE(claims));
	e->hash = hash;
	e->len = len;
	e->times = *times;
	e->gen = keyring_gen;
}
