/*-------------------------------------------------------------------------
 *
 * jws_split.c
 *	  JWS compact serialization (RFC 7515 section 7.1) splitting, and a
 *	  cheap nesting-depth scan that lets the JSON parser refuse deeply
 *	  nested claims with a clean error instead of recursing into them.
 *
 * Pure C, no postgres.h: it is fuzzed on its own (test/fuzz).
 *
 * src/core/jws_split.c
 *
 *-------------------------------------------------------------------------
 */
#include "jws_split.h"

#include <string.h>

/* 1 for the base64url alphabet, 2 for '.', 0 for anything else */
static const unsigned char char_class[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1, ['.'] = 2,
};

/*
 * The dots are found with memchr (vectorised in libc) and the alphabet is
 * checked in one branch-free pass: this runs on every token, before any
 * cache lookup.  A third dot is reported before a bad character, as the
 * character-by-character loop this replaces did.
 */
JwsSplitResult
jws_split(const char *token, size_t len, JwsSegments *out)
{
	const char *end = token + len;
	const char *d1;
	const char *d2 = NULL;
	unsigned char bad = 0;
	size_t		i = 0;

	d1 = memchr(token, '.', len);
	if (d1)
		d2 = memchr(d1 + 1, '.', end - (d1 + 1));
	if (d2 && memchr(d2 + 1, '.', end - (d2 + 1)))
		return JWS_SPLIT_SEGMENTS;
	for (; i + 4 <= len; i += 4)
		bad |= (char_class[(unsigned char) token[i]] == 0) |
			(char_class[(unsigned char) token[i + 1]] == 0) |
			(char_class[(unsigned char) token[i + 2]] == 0) |
			(char_class[(unsigned char) token[i + 3]] == 0);
	for (; i < len; i++)
		bad |= (char_class[(unsigned char) token[i]] == 0);
	if (bad)
		return JWS_SPLIT_BAD_CHAR;
	if (d2 == NULL)
		return JWS_SPLIT_SEGMENTS;

	out->header = token;
	out->header_len = d1 - token;
	out->payload = d1 + 1;
	out->payload_len = d2 - d1 - 1;
	out->signature = d2 + 1;
	out->signature_len = end - d2 - 1;
	out->signing_input_len = d2 - token;
	if (out->header_len == 0)
		return JWS_SPLIT_EMPTY_HEADER;
	if (out->signature_len == 0)
		return JWS_SPLIT_EMPTY_SIGNATURE;
	return JWS_SPLIT_OK;
}

const char *
jws_split_error(JwsSplitResult r)
{
	switch (r)
	{
		case JWS_SPLIT_OK:
			return "No error.";
		case JWS_SPLIT_SEGMENTS:
			return "A compact JWS has exactly three dot-separated segments.";
		case JWS_SPLIT_EMPTY_HEADER:
			return "The protected header segment is empty.";
		case JWS_SPLIT_EMPTY_SIGNATURE:
			return "The signature segment is empty.";
		case JWS_SPLIT_BAD_CHAR:
			return "The token contains a character outside the base64url alphabet.";
	}
	return "Malformed token.";
}

/* what the depth scan looks at: 1 '"', 2 '[' or '{', 3 ']' or '}' */
static const unsigned char depth_class[256] = {
	['"'] = 1, ['['] = 2, ['{'] = 2, [']'] = 3, ['}'] = 3,
};

int
json_nesting_depth(const char *json, size_t len, int max_depth)
{
	const unsigned char *p = (const unsigned char *) json;
	const unsigned char *end = p + len;
	int			depth = 0;
	int			deepest = 0;

	while (p < end)
	{
		switch (depth_class[*p++])
		{
			case 0:
				break;
			case 1:
				/* a string: on to its closing quote, skipping escaped characters */
				while (p < end)
				{
					unsigned char c = *p++;

					if (c == '"')
						break;
					if (c == '\\' && p < end)
						p++;
				}
				break;
			case 2:
				if (++depth > deepest)
				{
					deepest = depth;
					if (deepest > max_depth)
						return max_depth + 1;
				}
				break;
			case 3:
				if (depth > 0)
					depth--;
				break;
		}
	}
	return deepest;
}
