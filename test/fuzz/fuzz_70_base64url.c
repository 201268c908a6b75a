/*
 * fuzz_70_base64url.c: libFuzzer target for the strict base64url codec of the
 * tokens area (src/core/base64url.c).  Besides memory safety it checks:
 *   - whatever the decoder accepts holds only A-Z a-z 0-9 - _, decodes to
 *     exactly B64URL_DEC_LEN(len) bytes, and encodes back to the very same
 *     text (one encoding per byte string: no padding, no whitespace, no
 *     non-zero unused bits);
 *   - a length of 1 mod 4 is always refused;
 *   - any byte string encodes to B64URL_ENC_LEN bytes that decode back to it.
 *
 * fuzz-sources: src/core/base64url.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64url.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copies, so ASan catches any access past the length */
	char	   *text = malloc(size ? size : 1);
	unsigned char *dec = malloc(B64URL_DEC_LEN(size) + 1);
	char	   *enc = malloc(B64URL_ENC_LEN(size) + 1);
	unsigned char *back = malloc(size ? size : 1);
	long		n;
	size_t		m;

	memcpy(text, data, size);

	/* the input as base64url text */
	n = b64url_decode(text, size, dec);
	if (n >= 0)
	{
		if (size % 4 == 1 || (size_t) n != B64URL_DEC_LEN(size))
			abort();
		for (size_t i = 0; i < size; i++)
			if (!b64url_char((unsigned char) text[i]))
				abort();
		m = b64url_encode(dec, (size_t) n, enc);
		if (m != size || memcmp(enc, text, size) != 0)
			abort();
	}
	else if (n != -1)
		abort();

	/* the input as bytes */
	m = b64url_encode(data, size, enc);
	if (m != B64URL_ENC_LEN(size))
		abort();
	n = b64url_decode(enc, m, back);
	if (n < 0 || (size_t) n != size || memcmp(back, data, size) != 0)
		abort();

	free(text);
	free(dec);
	free(enc);
	free(back);
	return 0;
}
