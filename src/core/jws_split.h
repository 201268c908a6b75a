/*-------------------------------------------------------------------------
 *
 * jws_split.h
 *	  Splitting a JWS compact serialization into its three segments, and a
 *	  nesting-depth scan for JSON texts, both before any decoding.
 *
 * Server-independent (no postgres.h) so that it can be fuzzed on its own.
 *
 * src/core/jws_split.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_JWS_SPLIT_H
#define AUTH_JWS_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct JwsSegments
{
	const char *header;			/* base64url text, not terminated */
	size_t		header_len;
	const char *payload;
	size_t		payload_len;
	const char *signature;
	size_t		signature_len;
	size_t		signing_input_len;	/* header '.' payload */
} JwsSegments;

typedef enum JwsSplitResult
{
	JWS_SPLIT_OK = 0,
	JWS_SPLIT_SEGMENTS,			/* not exactly three segments */
	JWS_SPLIT_EMPTY_HEADER,
	JWS_SPLIT_EMPTY_SIGNATURE
} JwsSplitResult;

/*
 * Splits token[0..len) at its dots.  Requires exactly three segments and a
 * non-empty header and signature (the payload may be empty: RFC 7515 allows
 * it).  The characters are left to the strict base64url decoding of each
 * segment.
 */
extern JwsSplitResult jws_split(const char *token, size_t len, JwsSegments *out);

/*
 * True when s[0..len) holds only base64url characters and dots: tells a
 * caller whose decode failed whether to report JWS_BAD_CHAR_DETAIL.
 */
extern bool jws_alphabet_ok(const char *s, size_t len);

#define JWS_BAD_CHAR_DETAIL "The token contains a character outside the base64url alphabet."

/* A sentence describing a JwsSplitResult, for error details. */
extern const char *jws_split_error(JwsSplitResult r);

/*
 * Deepest nesting of arrays/objects in a JSON text (ignoring brackets inside
 * strings), stopping early once max_depth is exceeded.  Returns the depth,
 * or max_depth + 1 when it is deeper.  Not a validator: the JSON parser
 * runs afterwards, on texts shallow enough to parse safely.
 */
extern int	json_nesting_depth(const char *json, size_t len, int max_depth);

/*
 * json_nesting_depth(json, len, max_depth) <= max_depth, answered without
 * the scan when the text has no more than max_depth opening brackets at
 * all (the common case: claims are one object with a few arrays).
 */
extern bool json_depth_within(const char *json, size_t len, int max_depth);

#endif							/* AUTH_JWS_SPLIT_H */
