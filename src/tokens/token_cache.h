/*-------------------------------------------------------------------------
 *
 * token_cache.h
 *	  Bounded per-backend cache of tokens this backend verified against the
 *	  keyring.
 *
 * src/tokens/token_cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_TOKEN_CACHE_H
#define AUTH_TOKEN_CACHE_H

#include "lib/ilist.h"

#include "tokens.h"

/*
 * Memory budget of the entries (allocator chunk space), the cap on the
 * cache's whole memory context, the hash buckets, the context's block
 * size, and the largest token
 * and claims that are cached.
 */
#define TOKEN_CACHE_BUDGET ((Size) 4 * 1024 * 1024)
#define TOKEN_CACHE_HARD_LIMIT ((Size) 8 * 1024 * 1024)
#define TOKEN_CACHE_BUCKETS 8192	/* power of 2 */
#define TOKEN_CACHE_BLOCK (64 * 1024)
#define TOKEN_CACHE_MAX_TOKEN 2048
#define TOKEN_CACHE_MAX_CLAIMS 4096

/*
 * One cached token.  Valid until the next token_cache_lookup() or
 * token_cache_store(); the caller copies what it returns.
 */
typedef struct TokenCacheEntry
{
	dlist_node	lru;			/* in the LRU list; head = most recently used */
	struct TokenCacheEntry *next;	/* bucket chain */
	uint32		hash;
	int			len;			/* token bytes */
	Size		space;			/* chunk space charged to the budget */
	JwtTimes	times;
	uint64		revocation_gen; /* see auth_revocation_check_remembered() */
	Jsonb	   *claims;			/* inside this allocation */
	char	   *claims_text;	/* the payload text claims came from, inside it too */
	char	   *token;			/* inside it too */
} TokenCacheEntry;

extern uint32 token_cache_hash(const char *token, int len);
extern TokenCacheEntry *token_cache_lookup(const char *token, int len, uint32 hash,
										   uint64 keyring_gen);
extern TokenCacheEntry *token_cache_store(const char *token, int len, uint32 hash,
										  uint64 keyring_gen, Jsonb *claims,
										  const JwtTimes *times, const char *claims_text);

#endif							/* AUTH_TOKEN_CACHE_H */
