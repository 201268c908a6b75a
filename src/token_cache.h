/*-------------------------------------------------------------------------
 *
 * token_cache.h
 *	  Bounded per-backend cache of tokens this backend verified against the
 *	  keyring.
 *
 * src/token_cache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_TOKEN_CACHE_H
#define AUTH_TOKEN_CACHE_H

#include "tokens.h"

/*
 * Memory budget of the entries (allocator chunk space), the cap on the
 * cache's whole memory context, the hash buckets, and the largest token
 * and claims that are cached.
 */
#define TOKEN_CACHE_BUDGET ((Size) 4 * 1024 * 1024)
#define TOKEN_CACHE_HARD_LIMIT ((Size) 8 * 1024 * 1024)
#define TOKEN_CACHE_BUCKETS 8192	/* power of 2 */
#define TOKEN_CACHE_MAX_TOKEN 2048
#define TOKEN_CACHE_MAX_CLAIMS 4096

extern uint32 token_cache_hash(const char *token, int len);
extern Jsonb *token_cache_lookup(const char *token, int len, uint32 hash,
								 uint64 keyring_gen, JwtTimes *times);
extern void token_cache_store(const char *token, int len, uint32 hash,
							  uint64 keyring_gen, Jsonb *claims, const JwtTimes *times);

#endif							/* AUTH_TOKEN_CACHE_H */
