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

JwsSplitResult
jws_split(const char *token, size_t len, JwsSegments *out)
{
	size_t		dots[2];
	int			ndots = 0;
	unsigned char all = 1;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = char_class[(unsigned char) token[i]];

		all &= (c != 0);
		if (c == 2)
		{
			if (ndots == 2)
				return JWS_SPLIT_SEGMENTS;
			dots[ndots++] = i;
		}
	}
	if (!all)
		return JWS_SPLIT_BAD_CHAR;
	if (ndots != 2)
		return JWS_SPLIT_SEGMENTS;

	out->header = token;
	out->header_len = dots[0];
	out->payload = token + dots[0] + 1;
	out->payload_len = dots[1] - dots[0] - 1;
	out->signature = token + dots[1] + 1;
	out->signature_len = len - dots[1] - 1;
	out->signing_input_len = dots[1];
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

int
json_nesting_depth(const char *json, size_t len, int max_depth)
{
	int			depth = 0;
	int			deepest = 0;
	int			in_string = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = json[i];

		if (in_string)
		{
			if (c == '\\')
				i++;			/* skip the escaped character */
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '[' || c == '{')
		{
			if (++depth > deepest)
			{
				deepest = depth;
				if (deepest > max_depth)
					return max_depth + 1;
			}
		}
		else if ((c == ']' || c == '}') && depth > 0)
			depth--;
	}
	return deepest;
}
