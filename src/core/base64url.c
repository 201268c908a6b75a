/*-------------------------------------------------------------------------
 *
 * base64url.c
 *	  Strict base64url codec for JOSE (RFC 7515 section 2: base64url without
 *	  padding).  PostgreSQL's pg_b64_* speak the standard alphabet with
 *	  padding, so JOSE needs its own; this one refuses every non-canonical
 *	  form (padding, '+', '/', whitespace, impossible lengths, non-zero
 *	  trailing bits), so that a token has exactly one textual form and a
 *	  modified token can never decode to the same bytes.
 *
 * Pure C, no postgres.h: it is fuzzed on its own (test/fuzz).
 *
 * src/core/base64url.c
 *
 *-------------------------------------------------------------------------
 */
#include "base64url.h"

static const char enc_table[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* -1 for every byte outside the base64url alphabet */
static const signed char dec_table[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

size_t
b64url_encode(const unsigned char *src, size_t len, char *dst)
{
	char	   *p = dst;
	size_t		i = 0;

	for (; i + 3 <= len; i += 3)
	{
		unsigned long v = ((unsigned long) src[i] << 16) |
			((unsigned long) src[i + 1] << 8) | src[i + 2];

		*p++ = enc_table[(v >> 18) & 63];
		*p++ = enc_table[(v >> 12) & 63];
		*p++ = enc_table[(v >> 6) & 63];
		*p++ = enc_table[v & 63];
	}
	if (len - i == 1)
	{
		unsigned long v = (unsigned long) src[i] << 16;

		*p++ = enc_table[(v >> 18) & 63];
		*p++ = enc_table[(v >> 12) & 63];
	}
	else if (len - i == 2)
	{
		unsigned long v = ((unsigned long) src[i] << 16) |
			((unsigned long) src[i + 1] << 8);

		*p++ = enc_table[(v >> 18) & 63];
		*p++ = enc_table[(v >> 12) & 63];
		*p++ = enc_table[(v >> 6) & 63];
	}
	return (size_t) (p - dst);
}

long
b64url_decode(const char *src, size_t len, unsigned char *dst)
{
	unsigned char *p = dst;
	size_t		i = 0;
	size_t		rem = len % 4;

	if (rem == 1)
		return -1;
	for (; i + 4 <= len; i += 4)
	{
		int			a = dec_table[(unsigned char) src[i]];
		int			b = dec_table[(unsigned char) src[i + 1]];
		int			c = dec_table[(unsigned char) src[i + 2]];
		int			d = dec_table[(unsigned char) src[i + 3]];
		unsigned long v;

		if ((a | b | c | d) < 0)
			return -1;
		v = ((unsigned long) a << 18) | ((unsigned long) b << 12) |
			((unsigned long) c << 6) | (unsigned long) d;
		*p++ = (unsigned char) (v >> 16);
		*p++ = (unsigned char) (v >> 8);
		*p++ = (unsigned char) v;
	}
	if (rem == 2)
	{
		int			a = dec_table[(unsigned char) src[i]];
		int			b = dec_table[(unsigned char) src[i + 1]];

		/* the last character's low 4 bits are unused and must be zero */
		if ((a | b) < 0 || (b & 0x0f) != 0)
			return -1;
		*p++ = (unsigned char) ((a << 2) | (b >> 4));
	}
	else if (rem == 3)
	{
		int			a = dec_table[(unsigned char) src[i]];
		int			b = dec_table[(unsigned char) src[i + 1]];
		int			c = dec_table[(unsigned char) src[i + 2]];

		/* low 2 bits unused */
		if ((a | b | c) < 0 || (c & 0x03) != 0)
			return -1;
		*p++ = (unsigned char) ((a << 2) | (b >> 4));
		*p++ = (unsigned char) (((b & 0x0f) << 4) | (c >> 2));
	}
	return (long) (p - dst);
}
