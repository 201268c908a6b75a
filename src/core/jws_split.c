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

#include <stdbool.h>
#include <stdint.h>
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
 * Eight bytes at a time (SWAR): for a byte c < 0x80, c + (0x80 - k) has its
 * high bit set exactly when c >= k, and no carry leaves the byte.  Non-zero
 * when a byte of w is outside [-.0-9A-Z_a-z] (base64url and the dot).
 */
#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)
#define GE(w, k) (((w) + ONES * (0x80 - (k))) & HIGH)
#define IN(w, lo, hi) (GE(w, lo) & ~GE(w, (hi) + 1))

static inline int
outside_alphabet(uint64_t w)
{
	uint64_t	ok;

	if (w & HIGH)
		return 1;
	ok = IN(w, '-', '.') | IN(w, '0', '9') | IN(w, 'A', 'Z') |
		IN(w, '_', '_') | IN(w, 'a', 'z');
	return ok != HIGH;
}

/*
 * The dots are found with memchr (vectorised in libc); the characters are
 * not looked at here.  Every segment a caller uses is decoded by the strict
 * base64url decoder anyway (the header, or its exact bytes seen decoded
 * before; the signature before it is checked; the payload after), which
 * refuses any byte outside the alphabet: a separate scan of the whole token
 * on every verification would only do that work twice.  jws_alphabet_ok()
 * tells, once a decode failed, whether a bad character was the reason.
 */
JwsSplitResult
jws_split(const char *token, size_t len, JwsSegments *out)
{
	const char *end = token + len;
	const char *d1;
	const char *d2 = NULL;

	d1 = memchr(token, '.', len);
	if (d1)
		d2 = memchr(d1 + 1, '.', end - (d1 + 1));
	if (d2 == NULL || memchr(d2 + 1, '.', end - (d2 + 1)))
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

/* True when every byte of s[0..len) is base64url or '.' (eight at a time). */
bool
jws_alphabet_ok(const char *s, size_t len)
{
	unsigned char bad = 0;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, s + i, 8);
		bad |= outside_alphabet(w);
	}
	for (; i < len; i++)
		bad |= (char_class[(unsigned char) s[i]] == 0);
	return bad == 0;
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
	}
	return "Malformed token.";
}

/* what the depth scan looks at: 1 '"', 2 '[' or '{', 3 ']' or '}' */
static const unsigned char depth_class[256] = {
	['"'] = 1, ['['] = 2, ['{'] = 2, [']'] = 3, ['}'] = 3,
};

/*
 * How many bytes of json are '[' or '{': an upper bound of its nesting
 * depth (brackets inside strings counted too).  Eight bytes at a time:
 * c | 0x20 is 0x7b exactly for '[' (0x5b) and '{' (0x7b).
 */
static size_t
count_open_brackets(const unsigned char *p, size_t len)
{
	const uint64_t lo7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
	size_t		n = 0;
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;
		uint64_t	x;

		memcpy(&w, p + i, 8);
		x = (w | UINT64_C(0x2020202020202020)) ^ UINT64_C(0x7b7b7b7b7b7b7b7b);
		/* high bit of each byte set where that byte of x is non-zero */
		x = (((x & lo7) + lo7) | x) & ~lo7;
		/* bytes that are zero, i.e. brackets, counted by a multiply */
		x = (x ^ HIGH) >> 7;
		n += (size_t) ((x * ONES) >> 56);
	}
	for (; i < len; i++)
		n += (p[i] | 0x20) == 0x7b;
	return n;
}

bool
json_depth_within(const char *json, size_t len, int max_depth)
{
	if (max_depth >= 0 &&
		count_open_brackets((const unsigned char *) json, len) <= (size_t) max_depth)
		return true;
	return json_nesting_depth(json, len, max_depth) <= max_depth;
}

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
