/*-------------------------------------------------------------------------
 *
 * jws.c
 *	  JWS signatures (RFC 7515, algorithms of RFC 7518 and RFC 8037) through
 *	  OpenSSL 3 EVP: HMAC via EVP_MAC with a context keyed once per key and
 *	  re-initialised per call, RSA PKCS#1 v1.5 and PSS, ECDSA with JOSE's
 *	  raw R||S form (converted strictly in core/ecdsa_sig.c), and Ed25519.
 *
 * Signature lengths are checked exactly before any verification: HMAC
 * output size, RSA modulus size, 2 * coordinate size for ECDSA, 64 for
 * Ed25519.  MACs are compared with CRYPTO_memcmp.  A failure returns a
 * sentence for errdetail, never key material.
 *
 * src/tokens/jws.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ecdsa_sig.h"
#include "tokens.h"

const JwsAlgInfo jws_algs[JWS_NUM_ALGS] = {
	[JWS_HS256] = {"HS256", AUTH_KTY_OCT, false, "SHA256", 32, NULL, NULL},
	[JWS_HS384] = {"HS384", AUTH_KTY_OCT, false, "SHA384", 48, NULL, NULL},
	[JWS_HS512] = {"HS512", AUTH_KTY_OCT, false, "SHA512", 64, NULL, NULL},
	[JWS_RS256] = {"RS256", AUTH_KTY_RSA, false, "SHA256", 0, NULL, NULL},
	[JWS_RS384] = {"RS384", AUTH_KTY_RSA, false, "SHA384", 0, NULL, NULL},
	[JWS_RS512] = {"RS512", AUTH_KTY_RSA, false, "SHA512", 0, NULL, NULL},
	[JWS_PS256] = {"PS256", AUTH_KTY_RSA, true, "SHA256", 0, NULL, NULL},
	[JWS_PS384] = {"PS384", AUTH_KTY_RSA, true, "SHA384", 0, NULL, NULL},
	[JWS_PS512] = {"PS512", AUTH_KTY_RSA, true, "SHA512", 0, NULL, NULL},
	[JWS_ES256] = {"ES256", AUTH_KTY_EC, false, "SHA256", 32, "P-256", "prime256v1"},
	[JWS_ES384] = {"ES384", AUTH_KTY_EC, false, "SHA384", 48, "P-384", "secp384r1"},
	[JWS_ES512] = {"ES512", AUTH_KTY_EC, false, "SHA512", 66, "P-521", "secp521r1"},
	[JWS_EDDSA] = {"EdDSA", AUTH_KTY_OKP, false, NULL, 64, "Ed25519", NULL},
};

/*
 * Exact, case-sensitive match of a JOSE "alg"; "none" is not among them.
 * "Ed25519" (RFC 9864, the fully-specified name jose also emits) is EdDSA
 * with the only curve we support.
 */
JwsAlg
jws_alg_lookup(const char *name, size_t len)
{
	for (int a = 0; a < JWS_NUM_ALGS; a++)
		if (strlen(jws_algs[a].name) == len && memcmp(jws_algs[a].name, name, len) == 0)
			return (JwsAlg) a;
	if (len == 7 && memcmp(name, "Ed25519", 7) == 0)
		return JWS_EDDSA;
	return JWS_ALG_INVALID;
}

/* Digests and the HMAC implementation, fetched once per backend. */
static EVP_MD *digests[JWS_NUM_ALGS];
static EVP_MAC *hmac_impl;

static const EVP_MD *
alg_digest(JwsAlg alg)
{
	if (jws_algs[alg].digest == NULL)
		return NULL;
	if (digests[alg] == NULL)
	{
		digests[alg] = EVP_MD_fetch(NULL, jws_algs[alg].digest, NULL);
		if (digests[alg] == NULL)
			elog(ERROR, "EVP_MD_fetch(%s) failed", jws_algs[alg].digest);
	}
	return digests[alg];
}

/*
 * Hashes input with md into hash, on one digest context kept for the
 * backend's life (EVP_Digest would allocate and free one on every call).
 */
static void
digest_input(const EVP_MD *md, const char *input, size_t input_len,
			 unsigned char *hash, unsigned int *hash_len)
{
	static EVP_MD_CTX *digest_ctx;

	if (digest_ctx == NULL)
	{
		digest_ctx = EVP_MD_CTX_new();
		if (digest_ctx == NULL)
			elog(ERROR, "EVP_MD_CTX_new() failed");
	}
	if (EVP_DigestInit_ex2(digest_ctx, md, NULL) != 1 ||
		EVP_DigestUpdate(digest_ctx, input, input_len) != 1 ||
		EVP_DigestFinal_ex(digest_ctx, hash, hash_len) != 1)
	{
		ERR_clear_error();
		elog(ERROR, "digest computation failed");
	}
}

/* The key's HMAC context for alg, keyed on first use and then reused. */
static EVP_MAC_CTX *
hmac_ctx(AuthKey *key, JwsAlg alg)
{
	int			slot = alg - JWS_HS256;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM	params[2];

	if (key->mac[slot])
	{
		/* NULL key: keep the key set when the context was created */
		if (EVP_MAC_init(key->mac[slot], NULL, 0, NULL) != 1)
			elog(ERROR, "EVP_MAC_init() failed");
		return key->mac[slot];
	}
	if (hmac_impl == NULL)
	{
		hmac_impl = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (hmac_impl == NULL)
			elog(ERROR, "EVP_MAC_fetch(HMAC) failed");
	}
	ctx = EVP_MAC_CTX_new(hmac_impl);
	if (ctx == NULL)
		elog(ERROR, "EVP_MAC_CTX_new() failed");
	key->mac[slot] = ctx;		/* owned by the key from here on */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
												 (char *) jws_algs[alg].digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key->secret, key->secret_len, params) != 1)
		elog(ERROR, "EVP_MAC_init() failed");
	return ctx;
}

static void
hmac_compute(AuthKey *key, JwsAlg alg, const char *input, size_t len,
			 unsigned char *out, size_t *outlen)
{
	EVP_MAC_CTX *ctx = hmac_ctx(key, alg);

	if (EVP_MAC_update(ctx, (const unsigned char *) input, len) != 1 ||
		EVP_MAC_final(ctx, out, outlen, EVP_MAX_MD_SIZE) != 1)
		elog(ERROR, "HMAC computation failed");
}

/* The key's reusable digest context, reset for a new operation. */
static EVP_MD_CTX *
md_ctx(AuthKey *key)
{
	if (key->mdctx == NULL)
	{
		key->mdctx = EVP_MD_CTX_new();
		if (key->mdctx == NULL)
			elog(ERROR, "EVP_MD_CTX_new() failed");
	}
	else
		EVP_MD_CTX_reset(key->mdctx);
	return key->mdctx;
}

static bool
set_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md)
{
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
}

/*
 * The key's verification context for alg (RSA, PSS, ECDSA), initialised
 * with digest and padding once; each verification then hashes the input
 * and calls EVP_PKEY_verify on it, skipping the per-call context set-up.
 */
static EVP_PKEY_CTX *
verify_ctx(AuthKey *key, JwsAlg alg, const EVP_MD *md)
{
	EVP_PKEY_CTX *pctx;

	if (key->vctx[alg])
		return key->vctx[alg];
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	if (pctx == NULL)
		elog(ERROR, "EVP_PKEY_CTX_new_from_pkey() failed");
	key->vctx[alg] = pctx;		/* owned by the key from here on */
	if (EVP_PKEY_verify_init(pctx) != 1 ||
		EVP_PKEY_CTX_set_signature_md(pctx, md) != 1 ||
		(jws_algs[alg].pss && !set_pss(pctx, md)))
	{
		ERR_clear_error();
		key->vctx[alg] = NULL;
		EVP_PKEY_CTX_free(pctx);
		elog(ERROR, "EVP_PKEY_verify_init() failed");
	}
	return pctx;
}

/*
 * Verifies sig over input with key under alg (the caller checked that the
 * key fits alg).  Returns NULL when valid, else a sentence for errdetail.
 */
const char *
jws_verify_signature(AuthKey *key, JwsAlg alg, const char *input, size_t input_len,
					 const unsigned char *sig, size_t sig_len)
{
	const JwsAlgInfo *info = &jws_algs[alg];
	const EVP_MD *md = alg_digest(alg);
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char der[ECDSA_DER_MAX];
	int			rc;

	Assert(auth_key_fits(key, alg));
	switch (info->kty)
	{
		case AUTH_KTY_OCT:
			{
				unsigned char mac[EVP_MAX_MD_SIZE];
				size_t		maclen;
				bool		ok;

				if (sig_len != (size_t) info->size)
					return "The signature has the wrong length.";
				hmac_compute(key, alg, input, input_len, mac, &maclen);
				ok = maclen == sig_len && CRYPTO_memcmp(mac, sig, sig_len) == 0;
				OPENSSL_cleanse(mac, sizeof(mac));
				return ok ? NULL : "The signature does not match.";
			}
		case AUTH_KTY_RSA:
			if (sig_len != (size_t) EVP_PKEY_get_size(key->pkey))
				return "The signature has the wrong length.";
			break;
		case AUTH_KTY_OKP:
			if (sig_len != 64)
				return "The signature has the wrong length.";
			break;
		case AUTH_KTY_EC:
			{
				size_t		der_len;

				switch (ecdsa_raw_to_der(sig, sig_len, info->size, der, &der_len))
				{
					case ECDSA_SIG_OK:
						break;
					case ECDSA_SIG_BAD_LENGTH:
						return "The signature has the wrong length (JOSE ECDSA signatures are raw R||S, not DER).";
					case ECDSA_SIG_ZERO:
						return "The signature has r or s equal to zero.";
					default:
						elog(ERROR, "ECDSA signature conversion failed");
				}
				sig = der;
				sig_len = der_len;
				break;
			}
	}

	if (info->kty == AUTH_KTY_OKP)
	{
		/* Ed25519 signs the message itself: no prehash */
		ctx = md_ctx(key);
		if (EVP_DigestVerifyInit(ctx, &pctx, NULL, NULL, key->pkey) != 1)
		{
			ERR_clear_error();
			elog(ERROR, "EVP_DigestVerifyInit() failed");
		}
		rc = EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *) input, input_len);
	}
	else
	{
		unsigned char hash[EVP_MAX_MD_SIZE];
		unsigned int hash_len;

		pctx = verify_ctx(key, alg, md);
		digest_input(md, input, input_len, hash, &hash_len);
		rc = EVP_PKEY_verify(pctx, sig, sig_len, hash, hash_len);
	}
	/* a failed check can leave errors on OpenSSL's queue; a good one none */
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	return rc == 1 ? NULL : "The signature does not match.";
}

/* Signs input; returns the JOSE signature bytes (palloc'd). */
unsigned char *
jws_sign_bytes(AuthKey *key, JwsAlg alg, const char *input, size_t input_len,
			   size_t *sig_len)
{
	const JwsAlgInfo *info = &jws_algs[alg];
	const EVP_MD *md = alg_digest(alg);
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig;
	size_t		len = 0;

	Assert(auth_key_fits(key, alg) && key->has_private);
	if (info->kty == AUTH_KTY_OCT)
	{
		sig = palloc(EVP_MAX_MD_SIZE);
		hmac_compute(key, alg, input, input_len, sig, sig_len);
		return sig;
	}
	ctx = md_ctx(key);
	if (EVP_DigestSignInit(ctx, &pctx, md, NULL, key->pkey) != 1 ||
		(info->pss && !set_pss(pctx, md)) ||
		EVP_DigestSign(ctx, NULL, &len, (const unsigned char *) input, input_len) != 1)
	{
		ERR_clear_error();
		elog(ERROR, "EVP_DigestSignInit() failed");
	}
	sig = palloc(len);
	if (EVP_DigestSign(ctx, sig, &len, (const unsigned char *) input, input_len) != 1)
	{
		ERR_clear_error();
		elog(ERROR, "EVP_DigestSign() failed");
	}
	if (info->kty == AUTH_KTY_EC)
	{
		unsigned char *raw = palloc(2 * info->size);

		if (ecdsa_der_to_raw(sig, len, info->size, raw) != ECDSA_SIG_OK)
			elog(ERROR, "ECDSA signature conversion failed");
		pfree(sig);
		sig = raw;
		len = 2 * info->size;
	}
	*sig_len = len;
	return sig;
}
