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

static int
is_b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

JwsSplitResult
jws_split(const char *token, size_t len, JwsSegments *out)
{
	size_t		dots[2];
	int			ndots = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) token[i];

		if (c == '.')
		{
			if (ndots == 2)
				return JWS_SPLIT_SEGMENTS;
			dots[ndots++] = i;
		}
		else if (!is_b64url_char(c))
			return JWS_SPLIT_BAD_CHAR;
	}
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
