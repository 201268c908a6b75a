/*
 * fuzz_30_identity.c: libFuzzer target for the identity area's parsers
 * (src/core/identity_parse.c): Authorization header values, UUID text and
 * cookie names.  Checks, besides memory safety, that a Bearer token found
 * lies inside the input and holds only b64token characters, and that a
 * parsed UUID prints back to something the parser accepts again, and that
 * auth_uuid_is_canonical() accepts exactly that printed form.
 *
 * fuzz-sources: src/core/identity_parse.c src/core/hexdigit.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity_parse.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy, so ASan catches any read past the length */
	char	   *buf = malloc(size ? size : 1);
	size_t		off = 0,
				len = 0;
	unsigned char uuid[16];

	memcpy(buf, data, size);

	if (auth_parse_bearer(buf, size, &off, &len) == AUTH_BEARER_OK)
	{
		if (len == 0 || off + len > size)
			abort();
		for (size_t i = 0; i < len; i++)
			if (buf[off + i] == ' ' || buf[off + i] == '\t')
				abort();
	}

	if (auth_parse_uuid(buf, size, uuid))
	{
		char		text[37];
		unsigned char again[16];

		snprintf(text, sizeof(text),
				 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
				 uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
		if (!auth_parse_uuid(text, 36, again) || memcmp(uuid, again, 16) != 0)
			abort();
		/* the canonical spelling is the input's only when they are equal */
		if (!auth_uuid_is_canonical(text, 36) ||
			auth_uuid_is_canonical(buf, size) != (size == 36 && memcmp(buf, text, 36) == 0))
			abort();
	}
	else if (auth_uuid_is_canonical(buf, size))
		abort();

	(void) auth_valid_cookie_name(buf, size);
	free(buf);
	return 0;
}
