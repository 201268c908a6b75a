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

/* Slots, and the largest token that is cached. */
#define TOKEN_CACHE_SLOTS 256
#define TOKEN_CACHE_MAX_TOKEN 2048
#define TOKEN_CACHE_MAX_CLAIMS 4096

extern uint32 token_cache_hash(const char *token, int len);
extern Jsonb *token_cache_lookup(const char *token, int len, uint32 hash,
								 uint64 keyring_gen, JwtTimes *times);
extern void token_cache_store(const char *token, int len, uint32 hash,
							  uint64 keyring_gen, Jsonb *claims, const JwtTimes *times);

#endif							/* AUTH_TOKEN_CACHE_H */
