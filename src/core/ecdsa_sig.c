/*-------------------------------------------------------------------------
 *
 * ecdsa_sig.c
 *	  ECDSA signature encodings: JOSE's raw R||S <-> DER, through
 *	  OpenSSL's ECDSA_SIG.  Strict on both sides: the raw form must be
 *	  exactly twice the coordinate size (a DER signature handed over as a
 *	  JOSE signature has the wrong length and is refused), r and s must be
 *	  non-zero (the "psychic signatures" class, CVE-2022-21449, is refused
 *	  here before any curve arithmetic), and DER input must be the one
 *	  canonical encoding with integers that fit the curve.
 *
 * Pure C, no postgres.h: it is fuzzed on its own (test/fuzz).
 *
 * src/core/ecdsa_sig.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "ecdsa_sig.h"

static int
all_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

EcdsaSigResult
ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, size_t coord_len,
				 unsigned char *der, size_t *der_len)
{
	ECDSA_SIG  *sig;
	BIGNUM	   *r;
	BIGNUM	   *s;
	int			len;
	unsigned char *out;

	if (coord_len == 0 || raw_len != 2 * coord_len)
		return ECDSA_SIG_BAD_LENGTH;
	if (all_zero(raw, coord_len) || all_zero(raw + coord_len, coord_len))
		return ECDSA_SIG_ZERO;

	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int) coord_len, NULL);
	s = BN_bin2bn(raw + coord_len, (int) coord_len, NULL);
	if (sig == NULL || r == NULL || s == NULL)
	{
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(s);
		return ECDSA_SIG_LIBRARY;
	}
	ECDSA_SIG_set0(sig, r, s);	/* sig owns r and s now */
	/*
	 * One encoding pass, no sizing pass: two INTEGERs of at most
	 * coord_len + 1 bytes each (2-byte headers) in a SEQUENCE (3-byte
	 * header at most) fit in ECDSA_DER_MAX for every coordinate size
	 * checked here.
	 */
	if (2 * (coord_len + 3) + 3 > ECDSA_DER_MAX)
	{
		ECDSA_SIG_free(sig);
		return ECDSA_SIG_LIBRARY;
	}
	out = der;
	len = i2d_ECDSA_SIG(sig, &out);
	ECDSA_SIG_free(sig);
	if (len <= 0)
		return ECDSA_SIG_LIBRARY;
	*der_len = (size_t) len;
	return ECDSA_SIG_OK;
}

EcdsaSigResult
ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t coord_len,
				 unsigned char *raw)
{
	const unsigned char *in = der;
	ECDSA_SIG  *sig;
	const BIGNUM *r;
	const BIGNUM *s;
	unsigned char reenc[ECDSA_DER_MAX];
	unsigned char *out = reenc;
	int			len;
	EcdsaSigResult res = ECDSA_SIG_OK;

	if (der_len == 0 || der_len > ECDSA_DER_MAX || coord_len == 0)
		return ECDSA_SIG_BAD_DER;
	sig = d2i_ECDSA_SIG(NULL, &in, (long) der_len);
	if (sig == NULL)
		return ECDSA_SIG_BAD_DER;
	ECDSA_SIG_get0(sig, &r, &s);
	if (in != der + der_len)
		res = ECDSA_SIG_BAD_DER;	/* trailing bytes */
	else if (BN_is_zero(r) || BN_is_zero(s))
		res = ECDSA_SIG_ZERO;
	else if (BN_is_negative(r) || BN_is_negative(s) ||
			 (size_t) BN_num_bytes(r) > coord_len ||
			 (size_t) BN_num_bytes(s) > coord_len)
		res = ECDSA_SIG_BAD_DER;
	else
	{
		len = i2d_ECDSA_SIG(sig, NULL);
		if (len <= 0 || len > ECDSA_DER_MAX)
			res = ECDSA_SIG_BAD_DER;
		else if (i2d_ECDSA_SIG(sig, &out) != len ||
				 (size_t) len != der_len || memcmp(reenc, der, der_len) != 0)
			res = ECDSA_SIG_BAD_DER;	/* not the canonical encoding */
		else if (BN_bn2binpad(r, raw, (int) coord_len) < 0 ||
				 BN_bn2binpad(s, raw + coord_len, (int) coord_len) < 0)
			res = ECDSA_SIG_LIBRARY;
	}
	ECDSA_SIG_free(sig);
	return res;
}
