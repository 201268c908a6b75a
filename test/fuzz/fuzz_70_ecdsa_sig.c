/*
 * fuzz_70_ecdsa_sig.c: libFuzzer target for the ECDSA signature conversion of
 * the tokens area (src/core/ecdsa_sig.c).  The first input byte picks the
 * curve's coordinate size (32, 48 or 66: P-256, P-384, P-521), the rest is
 * the signature.  Besides memory safety it checks:
 *   - DER accepted by ecdsa_der_to_raw is the one canonical encoding: the
 *     raw result converts back to exactly the same DER, and OpenSSL's own
 *     parser reads the same non-zero r and s from it;
 *   - raw input of any length other than 2n is refused; r or s zero is
 *     refused as ECDSA_SIG_ZERO; any other raw input converts to DER that
 *     converts back to the same raw bytes.
 *
 * fuzz-sources: src/core/ecdsa_sig.c
 * fuzz-libs: -lcrypto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "ecdsa_sig.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t coord_sizes[] = {32, 48, 66};

static int
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* OpenSSL's reading of der must give the same r and s as raw */
static void
check_with_openssl(const unsigned char *der, size_t der_len,
				   const unsigned char *raw, size_t n)
{
	const unsigned char *in = der;
	ECDSA_SIG  *sig = d2i_ECDSA_SIG(NULL, &in, (long) der_len);
	const BIGNUM *r,
			   *s;
	unsigned char pad[2 * 66];

	if (sig == NULL || in != der + der_len)
		abort();
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_is_zero(r) || BN_is_zero(s) ||
		BN_bn2binpad(r, pad, (int) n) < 0 || BN_bn2binpad(s, pad + n, (int) n) < 0 ||
		memcmp(pad, raw, 2 * n) != 0)
		abort();
	ECDSA_SIG_free(sig);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n,
				len,
				der_len = 0;
	unsigned char *in;
	unsigned char raw[2 * 66];
	unsigned char raw2[2 * 66];
	unsigned char der[ECDSA_DER_MAX];
	EcdsaSigResult r;

	if (size < 1)
		return 0;
	n = coord_sizes[data[0] % 3];
	len = size - 1;
	in = malloc(len ? len : 1);
	memcpy(in, data + 1, len);

	/* the rest as DER */
	r = ecdsa_der_to_raw(in, len, n, raw);
	if (r == ECDSA_SIG_OK)
	{
		check_with_openssl(in, len, raw, n);
		if (ecdsa_raw_to_der(raw, 2 * n, n, der, &der_len) != ECDSA_SIG_OK ||
			der_len != len || memcmp(der, in, len) != 0)
			abort();
	}
	else if (r == ECDSA_SIG_LIBRARY)
		abort();

	/* the rest as raw R||S */
	r = ecdsa_raw_to_der(in, len, n, der, &der_len);
	if (len != 2 * n)
	{
		if (r != ECDSA_SIG_BAD_LENGTH)
			abort();
	}
	else if (all_zero(in, n) || all_zero(in + n, n))
	{
		if (r != ECDSA_SIG_ZERO)
			abort();
	}
	else
	{
		if (r != ECDSA_SIG_OK || der_len > ECDSA_DER_MAX)
			abort();
		check_with_openssl(der, der_len, in, n);
		if (ecdsa_der_to_raw(der, der_len, n, raw2) != ECDSA_SIG_OK ||
			memcmp(raw2, in, 2 * n) != 0)
			abort();
	}

	free(in);
	return 0;
}
