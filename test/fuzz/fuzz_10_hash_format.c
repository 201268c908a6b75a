/*
 * fuzz_10_hash_format.c: libFuzzer target for the passwords area's hash-string
 * parsers (src/core/hash_format.c): PHC Argon2 and scrypt, passlib/PHC/Django
 * PBKDF2, better-auth, bcrypt and the crypt(3) shapes, and the base64 codecs.
 * Checks, besides memory safety, the invariants the SQL layer relies on:
 *   - a successful parse has salt and key lengths within the documented
 *     bounds and Argon2/scrypt parameters in their algorithms' ranges;
 *   - the base64 decoder is strict: whatever it accepts (unpadded) encodes
 *     back to exactly the same text;
 *   - a parse never succeeds on a string over HF_MAX_HASH_LEN.
 *
 * fuzz-sources: src/core/hash_format.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash_format.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parsed(const ParsedHash *h, size_t size)
{
	if (size > HF_MAX_HASH_LEN || h->salt_len > HF_MAX_SALT || h->key_len > HF_MAX_KEY)
		abort();
	switch (h->format)
	{
		case HF_ARGON2D:
		case HF_ARGON2I:
		case HF_ARGON2ID:
			if (h->salt_len < HF_ARGON2_MIN_SALT || h->key_len < HF_MIN_KEY ||
				h->parallelism < 1 || h->iterations < 1 ||
				h->memory < 8 * (uint64_t) h->parallelism ||
				(h->version != 0x10 && h->version != 0x13))
				abort();
			break;
		case HF_SCRYPT:
		case HF_BETTER_AUTH:
			if (h->log2_n < 1 || h->log2_n > 63 || h->block_size < 1 ||
				h->parallelism < 1 || h->key_len < HF_MIN_KEY)
				abort();
			break;
		case HF_PBKDF2_PASSLIB:
		case HF_PBKDF2_PHC:
		case HF_PBKDF2_DJANGO:
			if (h->iterations < 1 || h->key_len < HF_MIN_KEY)
				abort();
			break;
		case HF_BCRYPT:
			if (size != 60 || h->iterations < 4 || h->iterations > 31)
				abort();
			break;
		case HF_UNKNOWN:
			abort();			/* success must name a format */
		default:
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copy, so ASan catches any read past the length */
	char	   *buf = malloc(size ? size : 1);
	ParsedHash	h;
	uint8_t		raw[256];
	size_t		n;

	memcpy(buf, data, size);

	if (hf_parse(buf, size, &h) == HF_OK)
		check_parsed(&h, size);

	for (int a = 0; a < 2; a++)
	{
		HfB64Alphabet alphabet = a == 0 ? HF_B64_STD : HF_B64_PASSLIB;

		if (hf_b64_decode(buf, size, alphabet, false, raw, sizeof(raw), &n))
		{
			char	   *again = malloc(hf_b64_encoded_len(n) + 1);

			hf_b64_encode(raw, n, alphabet, again);
			if (strlen(again) != size || memcmp(again, buf, size) != 0)
				abort();
			free(again);
		}
		(void) hf_b64_decode(buf, size, alphabet, true, raw, sizeof(raw), &n);
	}
	free(buf);
	return 0;
}
