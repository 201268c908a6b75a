/*-------------------------------------------------------------------------
 *
 * ecdsa_sig.h
 *	  Conversion between the two encodings of an ECDSA signature: DER
 *	  (what OpenSSL signs and verifies) and JOSE's fixed-length R||S
 *	  (RFC 7518 section 3.4).
 *
 * Server-independent (no postgres.h) so that it can be fuzzed on its own.
 *
 * src/core/ecdsa_sig.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_ECDSA_SIG_H
#define AUTH_ECDSA_SIG_H

#include <stddef.h>

/* Largest DER signature we produce: P-521, two 66-byte integers. */
#define ECDSA_DER_MAX 160

typedef enum EcdsaSigResult
{
	ECDSA_SIG_OK = 0,
	ECDSA_SIG_BAD_LENGTH,		/* raw form is not exactly 2 * n bytes */
	ECDSA_SIG_ZERO,				/* r or s is zero */
	ECDSA_SIG_BAD_DER,			/* not canonical DER, or r/s too large */
	ECDSA_SIG_LIBRARY			/* allocation failure in libcrypto */
} EcdsaSigResult;

/*
 * raw (R||S, raw_len bytes, each half n = coord_len bytes) -> DER in der
 * (ECDSA_DER_MAX bytes), length in *der_len.
 */
extern EcdsaSigResult ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len,
									   size_t coord_len,
									   unsigned char *der, size_t *der_len);

/* DER -> raw R||S into raw (2 * coord_len bytes). */
extern EcdsaSigResult ecdsa_der_to_raw(const unsigned char *der, size_t der_len,
									   size_t coord_len, unsigned char *raw);

#endif							/* AUTH_ECDSA_SIG_H */
