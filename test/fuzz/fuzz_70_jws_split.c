/*
 * fuzz_70_jws_split.c: libFuzzer target for the JWS compact splitter and the
 * JSON nesting-depth scan of the tokens area (src/core/jws_split.c).
 * Besides memory safety it checks:
 *   - a successful split has exactly two dots, a non-empty header and
 *     signature, segments that lie inside the input and cover it, and
 *     signing_input_len = header '.' payload;
 *   - input with other than two dots is always refused;
 *   - jws_alphabet_ok (eight bytes at a time) answers as a byte-by-byte
 *     check of the base64url alphabet and the dot;
 *   - the depth scan stays within 0 .. max_depth + 1 and gives the same
 *     answer whatever the limit, as long as the depth is below it;
 *   - json_depth_within (the bracket-count shortcut) answers as the scan.
 *
 * fuzz-sources: src/core/jws_split.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jws_split.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int
inside(const char *buf, size_t size, const char *p, size_t len)
{
	return p >= buf && p + len <= buf + size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size ? size : 1);
	JwsSegments s;
	JwsSplitResult r;
	size_t		dots = 0;
	int			d_small,
				d_big;

	memcpy(buf, data, size);
	for (size_t i = 0; i < size; i++)
		dots += (buf[i] == '.');

	memset(&s, 0, sizeof(s));
	r = jws_split(buf, size, &s);
	if (jws_split_error(r) == NULL)
		abort();
	if (r == JWS_SPLIT_OK)
	{
		if (dots != 2 || s.header_len == 0 || s.signature_len == 0)
			abort();
		if (s.header != buf ||
			!inside(buf, size, s.header, s.header_len) ||
			!inside(buf, size, s.payload, s.payload_len) ||
			!inside(buf, size, s.signature, s.signature_len))
			abort();
		if (s.header_len + s.payload_len + s.signature_len + 2 != size ||
			s.signing_input_len != s.header_len + 1 + s.payload_len ||
			s.payload != s.header + s.header_len + 1 ||
			s.signature != s.payload + s.payload_len + 1)
			abort();
	}
	else if (dots == 2 && size > 0)
	{
		/* refused with two dots: must be an empty segment */
		if (r != JWS_SPLIT_EMPTY_HEADER && r != JWS_SPLIT_EMPTY_SIGNATURE)
			abort();
	}
	{
		int			ok = 1;

		for (size_t i = 0; i < size; i++)
			if (buf[i] != '.' && !b64url_char((unsigned char) buf[i]))
				ok = 0;
		if (jws_alphabet_ok(buf, size) != ok)
			abort();
	}

	d_small = json_nesting_depth(buf, size, 8);
	d_big = json_nesting_depth(buf, size, 1000);
	if (d_small < 0 || d_small > 9 || d_big < 0 || d_big > 1001)
		abort();
	if (d_big <= 8 ? d_small != d_big : d_small != 9)
		abort();
	/* the bracket-count shortcut agrees with the scan */
	if (json_depth_within(buf, size, 8) != (d_small <= 8) ||
		json_depth_within(buf, size, 0) != (json_nesting_depth(buf, size, 0) == 0))
		abort();

	free(buf);
	return 0;
}
