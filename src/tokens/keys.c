/*-------------------------------------------------------------------------
 *
 * keys.c
 *	  Keys of the tokens area: HMAC secrets, PEM (PKCS#8, SPKI, PKCS#1, SEC1)
 *	  and JWK (oct, RSA, EC, OKP/Ed25519) turned into an AuthKey that holds
 *	  an EVP_PKEY or a secret; key generation for auth.create_key(); the
 *	  public JWK and RFC 7638 thumbprint of a key; and the binding between a
 *	  key and the JOSE algorithms it may serve.
 *
 * Every OpenSSL object an AuthKey owns is freed, and its secret wiped, by a
 * reset callback on the memory context the key lives in, so a key can never
 * leak on an error path: per-call keys die with the function's context,
 * keyring keys with the keyring's context.  Temporary OpenSSL objects are
 * freed before any ereport.
 *
 * Bad keys given by an administrator or caller raise 22023 with a message
 * that never contains key material.
 *
 * src/tokens/keys.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "base64url.h"
#include "tokens.h"

#define bad_key(...) \
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg(__VA_ARGS__)))

static void
auth_key_release(void *arg)
{
	AuthKey    *key = (AuthKey *) arg;

	EVP_PKEY_free(key->pkey);
	key->pkey = NULL;
	for (int i = 0; i < 3; i++)
	{
		EVP_MAC_CTX_free(key->mac[i]);
		key->mac[i] = NULL;
	}
	EVP_MD_CTX_free(key->mdctx);
	key->mdctx = NULL;
	for (int i = 0; i < JWS_NUM_ALGS; i++)
	{
		EVP_PKEY_CTX_free(key->vctx[i]);
		key->vctx[i] = NULL;
	}
	if (key->secret)
		OPENSSL_cleanse(key->secret, key->secret_len);
}

/*
 * Returns an empty key in cxt whose OpenSSL objects and secret are released
 * when cxt is reset or deleted.
 */
AuthKey *
auth_key_new(MemoryContext cxt)
{
	AuthKey    *key = MemoryContextAllocZero(cxt, sizeof(AuthKey));
	MemoryContextCallback *cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));

	key->alg = JWS_ALG_INVALID;
	cb->func = auth_key_release;
	cb->arg = key;
	MemoryContextRegisterResetCallback(cxt, cb);
	return key;
}

char *
auth_random_b64url(int nbytes)
{
	unsigned char buf[64];
	char	   *out;
	size_t		n;

	Assert(nbytes <= (int) sizeof(buf));
	if (RAND_bytes(buf, nbytes) != 1)
		elog(ERROR, "RAND_bytes() failed");
	out = palloc(B64URL_ENC_LEN(nbytes) + 1);
	n = b64url_encode(buf, nbytes, out);
	out[n] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));	/* refresh and recovery tokens are secrets */
	return out;
}

static char *
b64url_cstring(const unsigned char *data, size_t len)
{
	char	   *out = palloc(B64URL_ENC_LEN(len) + 1);

	out[b64url_encode(data, len, out)] = '\0';
	return out;
}

/* ---- describing an EVP_PKEY ---- */

/*
 * Fills kty/bits/group of key from key->pkey.  Refuses key types JOSE
 * signatures do not use and RSA keys under 2048 bits.
 */
static void
key_describe_pkey(AuthKey *key)
{
	EVP_PKEY   *pkey = key->pkey;

	if (EVP_PKEY_is_a(pkey, "RSA"))
	{
		key->kty = AUTH_KTY_RSA;
		key->bits = EVP_PKEY_get_bits(pkey);
		if (key->bits < 2048)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("RSA key is too short"),
					 errdetail("The key has %d bits; at least 2048 are required.", key->bits)));
	}
	else if (EVP_PKEY_is_a(pkey, "EC"))
	{
		char		name[64];
		size_t		len = 0;

		key->kty = AUTH_KTY_EC;
		if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
											name, sizeof(name), &len))
			name[0] = '\0';
		for (int a = JWS_ES256; a <= JWS_ES512; a++)
			if (strcmp(name, jws_algs[a].group) == 0)
				key->group = jws_algs[a].group;
		if (key->group == NULL)
			bad_key("elliptic curve key is not on P-256, P-384 or P-521");
	}
	else if (EVP_PKEY_is_a(pkey, "ED25519"))
		key->kty = AUTH_KTY_OKP;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported key type \"%s\"", EVP_PKEY_get0_type_name(pkey)),
				 errhint("JWS keys are RSA, EC (P-256, P-384, P-521) or Ed25519.")));
}

/* ---- HMAC secrets ---- */

/* An HMAC key holding a copy of secret; 22023 when it is too short. */
static AuthKey *
key_from_secret(const unsigned char *secret, size_t len, MemoryContext cxt)
{
	AuthKey    *key;

	if (len < AUTH_HMAC_MIN_SECRET)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("HMAC secret is too short"),
				 errdetail("It has %zu bytes; at least %d are required.",
						   len, AUTH_HMAC_MIN_SECRET)));
	key = auth_key_new(cxt);
	key->kty = AUTH_KTY_OCT;
	key->has_private = true;
	key->secret = MemoryContextAlloc(cxt, len);
	key->secret_len = len;
	memcpy(key->secret, secret, len);
	return key;
}

/* ---- PEM ---- */

static AuthKey *
key_from_pem(const char *text, size_t len, bool for_signing)
{
	AuthKey    *key = auth_key_new(CurrentMemoryContext);
	int			selections[2] = {EVP_PKEY_KEYPAIR, EVP_PKEY_PUBLIC_KEY};

	for (int i = 0; i < 2 && key->pkey == NULL; i++)
	{
		EVP_PKEY   *pkey = NULL;
		OSSL_DECODER_CTX *dctx;
		const unsigned char *p = (const unsigned char *) text;
		size_t		left = len;

		dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL,
											 selections[i], NULL, NULL);
		if (dctx == NULL)
			elog(ERROR, "OSSL_DECODER_CTX_new_for_pkey() failed");
		/* no passphrase callback: encrypted keys fail to decode */
		if (OSSL_DECODER_from_data(dctx, &p, &left) == 1 && pkey != NULL)
		{
			key->pkey = pkey;
			key->has_private = (i == 0);
		}
		else
			EVP_PKEY_free(pkey);
		OSSL_DECODER_CTX_free(dctx);
	}
	ERR_clear_error();
	if (key->pkey == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not read the PEM key"),
				 errhint("Give a PKCS#8 or PKCS#1 private key, or an SPKI or PKCS#1 public key, unencrypted.")));
	key_describe_pkey(key);
	if (for_signing && !key->has_private)
		bad_key("a public key cannot sign");
	return key;
}

/* ---- JWK ---- */

/*
 * text parsed as jsonb, or NULL when it is not JSON (or too deep or large
 * to parse).  The parser's own messages quote the input, which may be a
 * token or a key: they are swallowed here and never reach the client.
 */
Jsonb *
auth_jsonb_parse(char *text)
{
	Jsonb	   *volatile jb = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(cxt);
		ed = CopyErrorData();
		/* only memory is involved in parsing, so recovering here is safe */
		if (ERRCODE_TO_CATEGORY(ed->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(ed->sqlerrcode) != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(ed);
		jb = NULL;
	}
	PG_END_TRY();
	return jb;
}

/* Member name of a jsonb object, or NULL. */
JsonbValue *
auth_jsonb_member(Jsonb *obj, const char *name)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) name;
	k.val.string.len = strlen(name);
	return findJsonbValueFromContainer(&obj->root, JB_FOBJECT, &k);
}

#define jwk_member auth_jsonb_member

static char *
jwk_string(Jsonb *jwk, const char *name, bool required)
{
	JsonbValue *v = jwk_member(jwk, name);

	if (v == NULL)
	{
		if (required)
			bad_key("JWK member \"%s\" is missing", name);
		return NULL;
	}
	if (v->type != jbvString)
		bad_key("JWK member \"%s\" must be a string", name);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * Decodes base64url member name; when want_len > 0 it must decode to
 * exactly that many bytes.
 */
static unsigned char *
jwk_bytes(Jsonb *jwk, const char *name, bool required, size_t want_len, size_t *len)
{
	char	   *s = jwk_string(jwk, name, required);
	unsigned char *out;
	long		n;

	if (s == NULL)
		return NULL;
	out = palloc(B64URL_DEC_LEN(strlen(s)) + 1);
	n = b64url_decode(s, strlen(s), out);
	if (n <= 0)
		bad_key("JWK member \"%s\" is not valid base64url", name);
	if (want_len > 0 && (size_t) n != want_len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("JWK member \"%s\" has the wrong length", name),
				 errdetail("Expected %zu bytes, got %ld.", want_len, n)));
	*len = (size_t) n;
	return out;
}

static void
wipe(unsigned char *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
}

/* Builds an EVP_PKEY from OSSL params; NULL on failure (no ereport). */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, bool private)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY   *pkey = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
	{
		if (EVP_PKEY_fromdata(ctx, &pkey,
							  private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
							  params) != 1)
			pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	ERR_clear_error();
	return pkey;
}

static bool
bld_push_bn(OSSL_PARAM_BLD *bld, const char *name, const unsigned char *p, size_t len,
			BIGNUM **slot)
{
	*slot = BN_bin2bn(p, (int) len, NULL);
	return *slot != NULL && OSSL_PARAM_BLD_push_BN(bld, name, *slot) == 1;
}

static void
key_from_rsa_jwk(AuthKey *key, Jsonb *jwk)
{
	static const char *const members[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
	static const char *const params[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	unsigned char *val[8];
	size_t		len[8];
	BIGNUM	   *bn[8] = {NULL};
	int			nval;
	OSSL_PARAM_BLD *bld;
	bool		ok;

	for (int i = 0; i < 8; i++)
		val[i] = jwk_bytes(jwk, members[i], i < 2, 0, &len[i]);
	/* CRT members: all or none */
	nval = 2;
	if (val[2])
	{
		int			crt = 0;

		for (int i = 3; i < 8; i++)
			crt += val[i] != NULL;
		if (crt != 0 && crt != 5)
			bad_key("RSA JWK must have all of \"p\", \"q\", \"dp\", \"dq\", \"qi\" or none");
		nval = crt ? 8 : 3;
		key->has_private = true;
	}

	bld = OSSL_PARAM_BLD_new();
	ok = bld != NULL;
	for (int i = 0; ok && i < nval; i++)
		ok = bld_push_bn(bld, params[i], val[i], len[i], &bn[i]);
	if (ok)
		key->pkey = pkey_fromdata("RSA", bld, key->has_private);
	OSSL_PARAM_BLD_free(bld);
	for (int i = 0; i < 8; i++)
	{
		BN_clear_free(bn[i]);
		if (i >= 2)
			wipe(val[i], len[i]);
	}
	if (key->pkey == NULL)
		bad_key("invalid RSA JWK");
}

static void
key_from_ec_jwk(AuthKey *key, Jsonb *jwk, JwsAlg *curve_alg)
{
	char	   *crv = jwk_string(jwk, "crv", true);
	const JwsAlgInfo *info = NULL;
	unsigned char *x,
			   *y,
			   *d;
	size_t		xl,
				yl,
				dl = 0;
	unsigned char pub[1 + 2 * 66];
	BIGNUM	   *dbn = NULL;
	OSSL_PARAM_BLD *bld;
	bool		ok;

	for (int a = JWS_ES256; a <= JWS_ES512; a++)
		if (strcmp(crv, jws_algs[a].crv) == 0)
		{
			info = &jws_algs[a];
			*curve_alg = (JwsAlg) a;
		}
	if (info == NULL)
		bad_key("unsupported EC curve \"%s\"", crv);
	x = jwk_bytes(jwk, "x", true, info->size, &xl);
	y = jwk_bytes(jwk, "y", true, info->size, &yl);
	d = jwk_bytes(jwk, "d", false, info->size, &dl);
	key->has_private = d != NULL;
	pub[0] = 0x04;				/* uncompressed point */
	memcpy(pub + 1, x, xl);
	memcpy(pub + 1 + xl, y, yl);

	bld = OSSL_PARAM_BLD_new();
	ok = bld != NULL &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, info->group, 0) == 1 &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + xl + yl) == 1;
	if (ok && d)
		ok = bld_push_bn(bld, OSSL_PKEY_PARAM_PRIV_KEY, d, dl, &dbn);
	/* the import checks that the point is on the curve */
	if (ok)
		key->pkey = pkey_fromdata("EC", bld, key->has_private);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(dbn);
	wipe(d, dl);
	if (key->pkey == NULL)
		bad_key("invalid EC JWK");
}

static void
key_from_okp_jwk(AuthKey *key, Jsonb *jwk)
{
	char	   *crv = jwk_string(jwk, "crv", true);
	unsigned char *x,
			   *d;
	size_t		xl,
				dl = 0;

	if (strcmp(crv, "Ed25519") != 0)
		bad_key("unsupported OKP curve \"%s\"", crv);
	x = jwk_bytes(jwk, "x", true, 32, &xl);
	d = jwk_bytes(jwk, "d", false, 32, &dl);
	if (d)
	{
		unsigned char derived[32];
		size_t		n = sizeof(derived);

		key->has_private = true;
		key->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, dl);
		wipe(d, dl);
		if (key->pkey &&
			(EVP_PKEY_get_raw_public_key(key->pkey, derived, &n) != 1 ||
			 n != xl || CRYPTO_memcmp(derived, x, xl) != 0))
		{
			ERR_clear_error();
			bad_key("Ed25519 JWK: \"x\" is not the public key of \"d\"");
		}
	}
	else
		key->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl);
	ERR_clear_error();
	if (key->pkey == NULL)
		bad_key("invalid Ed25519 JWK");
}

/*
 * Parses a JWK.  Refuses keys not meant for signatures ("use" other than
 * "sig", "key_ops" without "verify" or, when signing, without "sign").
 * A JWK "alg" binds the key to that algorithm; without it an EC or OKP key
 * is bound to its curve's algorithm and an RSA or oct key is left unbound
 * (explicit keys), unless strict_alg demands a definite algorithm.
 */
AuthKey *
auth_key_from_jwk(Jsonb *jwk, bool for_signing, bool strict_alg)
{
	AuthKey    *key;
	char	   *kty;
	char	   *use;
	char	   *alg;
	JsonbValue *ops;
	JwsAlg		curve_alg = JWS_ALG_INVALID;

	if (!JB_ROOT_IS_OBJECT(jwk) || JB_ROOT_IS_SCALAR(jwk))
		bad_key("a JWK must be a JSON object");
	key = auth_key_new(CurrentMemoryContext);
	kty = jwk_string(jwk, "kty", true);
	use = jwk_string(jwk, "use", false);
	if (use && strcmp(use, "sig") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("JWK is not meant for signatures"),
				 errdetail("Its \"use\" is \"%s\"; only \"sig\" keys are accepted.", use)));
	ops = jwk_member(jwk, "key_ops");
	if (ops)
	{
		const char *need = for_signing ? "sign" : "verify";
		JsonbValue	want;

		want.type = jbvString;
		want.val.string.val = (char *) need;
		want.val.string.len = strlen(need);
		if (ops->type != jbvBinary ||
			!JsonContainerIsArray(ops->val.binary.data) ||
			findJsonbValueFromContainer(ops->val.binary.data, JB_FARRAY, &want) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("JWK is not meant for signatures"),
					 errdetail("Its \"key_ops\" do not include \"%s\".", need)));
	}
	alg = jwk_string(jwk, "alg", false);
	if (alg)
	{
		key->alg = jws_alg_lookup(alg, strlen(alg));
		if (key->alg == JWS_ALG_INVALID)
			bad_key("unsupported JWK algorithm \"%s\"", alg);
	}

	if (strcmp(kty, "oct") == 0)
	{
		size_t		len;
		unsigned char *k = jwk_bytes(jwk, "k", true, 0, &len);
		JwsAlg		bound = key->alg;

		key = key_from_secret(k, len, CurrentMemoryContext);
		key->alg = bound;
		wipe(k, len);
	}
	else if (strcmp(kty, "RSA") == 0)
		key_from_rsa_jwk(key, jwk);
	else if (strcmp(kty, "EC") == 0)
		key_from_ec_jwk(key, jwk, &curve_alg);
	else if (strcmp(kty, "OKP") == 0)
	{
		key_from_okp_jwk(key, jwk);
		curve_alg = JWS_EDDSA;
	}
	else
		bad_key("unsupported JWK key type \"%s\"", kty);
	if (key->pkey)
		key_describe_pkey(key);

	if (key->alg == JWS_ALG_INVALID)
		key->alg = curve_alg;
	if (key->alg != JWS_ALG_INVALID)
	{
		JwsAlg		bound = key->alg;

		const char *why;

		key->alg = JWS_ALG_INVALID;
		why = auth_key_misfit(key, bound);
		if (why)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("JWK \"alg\" %s does not match its key", jws_algs[bound].name),
					 errdetail_internal("%s", why)));
		key->alg = bound;
	}
	else if (strict_alg)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("JWK has no \"alg\""),
				 errhint("RSA and oct keys serve several algorithms: add \"alg\" to the JWK.")));
	if (for_signing && !key->has_private)
		bad_key("a public key cannot sign");
	return key;
}

/* True when needle (NUL-terminated) occurs in the len bytes at s. */
static bool
bytes_contain(const char *s, size_t len, const char *needle)
{
	size_t		n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return true;
	return false;
}

/*
 * True when text, white space aside, is base64 whose bytes OpenSSL decodes
 * as a DER key (SPKI, PKCS#8, PKCS#1, SEC1): the body of a PEM without its
 * armour.  Random secrets practically never are.
 */
static bool
is_bare_der_key(const char *text, size_t len)
{
	char	   *b64 = palloc(len + 1);
	unsigned char *der;
	size_t		n = 0;
	int			dlen;
	int			pad = 0;
	bool		found = false;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (isspace(c))
			continue;
		if (!isalnum(c) && c != '+' && c != '/' && c != '=')
		{
			pfree(b64);
			return false;
		}
		b64[n++] = (char) c;
	}
	if (n < 16 || n % 4 != 0 || n > INT_MAX)
	{
		pfree(b64);
		return false;
	}
	der = palloc(n / 4 * 3 + 1);
	dlen = EVP_DecodeBlock(der, (unsigned char *) b64, (int) n);
	while (pad < 2 && b64[n - 1 - pad] == '=')
		pad++;
	if (dlen > pad)
	{
		for (int sel = 0; sel < 2 && !found; sel++)
		{
			EVP_PKEY   *pkey = NULL;
			const unsigned char *p = der;
			size_t		left = (size_t) (dlen - pad);
			OSSL_DECODER_CTX *dctx;

			dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", NULL, NULL,
												 sel == 0 ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
												 NULL, NULL);
			if (dctx == NULL)
				elog(ERROR, "OSSL_DECODER_CTX_new_for_pkey() failed");
			found = OSSL_DECODER_from_data(dctx, &p, &left) == 1 && pkey != NULL;
			EVP_PKEY_free(pkey);
			OSSL_DECODER_CTX_free(dctx);
		}
		ERR_clear_error();
	}
	OPENSSL_cleanse(der, n / 4 * 3 + 1);
	OPENSSL_cleanse(b64, n);
	pfree(der);
	pfree(b64);
	return found;
}

/*
 * A key given as text.  Leading white space and a UTF-8 byte order mark
 * (EF BB BF, which Windows editors put before a PEM or JSON file) are
 * skipped; then it is a PEM when it starts with "-----BEGIN", a JWK when it
 * starts with "{", otherwise the bytes of an HMAC secret.  A text that
 * would be a secret but holds "-----BEGIN" or "\"kty\"" anywhere (a PEM or
 * JWK behind other leading bytes), or is the base64 of a DER key (a PEM
 * without its armour), is refused, never taken as a secret: the
 * public key of an asymmetric key can therefore never serve as an HMAC
 * secret, whatever bytes precede it (docs/70_findings.md, finding 9).
 */
AuthKey *
auth_key_from_text(const char *text, size_t len, bool for_signing)
{
	size_t		skip = 0;

	for (;;)
	{
		if (skip < len && isspace((unsigned char) text[skip]))
			skip++;
		else if (len - skip >= 3 && memcmp(text + skip, "\xEF\xBB\xBF", 3) == 0)
			skip += 3;
		else
			break;
	}
	if (len - skip >= 10 && strncmp(text + skip, "-----BEGIN", 10) == 0)
		return key_from_pem(text + skip, len - skip, for_signing);
	if (skip < len && text[skip] == '{')
	{
		char	   *json = pnstrdup(text + skip, len - skip);
		Jsonb	   *jwk = auth_jsonb_parse(json);

		explicit_bzero(json, len - skip);
		if (jwk == NULL)
			bad_key("the key is not a valid JWK: it starts with \"{\" but is not JSON");
		return auth_key_from_jwk(jwk, for_signing, false);
	}
	if (bytes_contain(text, len, "-----BEGIN") || bytes_contain(text, len, "\"kty\""))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the key looks like a PEM or JWK key after other leading bytes"),
				 errdetail("A key text holding \"-----BEGIN\" or \"kty\" is never used as an HMAC secret."),
				 errhint("Remove what precedes the PEM or JWK (only white space and a byte order mark are skipped).")));
	if (is_bare_der_key(text, len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the key is the base64 of a DER key without its PEM armour"),
				 errdetail("A key text that OpenSSL reads as a key is never used as an HMAC secret."),
				 errhint("Give the key as PEM, with its -----BEGIN and -----END lines.")));
	return key_from_secret((const unsigned char *) text, len, CurrentMemoryContext);
}

/*
 * Explicit keys (the key argument of jws_verify, jwt_decode, jwt_encode)
 * are parsed once per backend and kept in a small cache, so a caller that
 * passes the same secret or PEM on every call pays for parsing and HMAC
 * keying once.  Keyed by the exact key text (compared in constant time)
 * and the sign/verify purpose; KEY_CACHE_SLOTS entries replaced
 * round-robin; an evicted entry's memory context is deleted, which wipes
 * the secret and frees the OpenSSL objects.
 */
#define KEY_CACHE_SLOTS 8
#define KEY_CACHE_MAX_TEXT 16384

typedef struct KeyCacheEntry
{
	MemoryContext cxt;			/* NULL = empty */
	char	   *text;
	size_t		len;
	bool		for_signing;
	AuthKey    *key;
} KeyCacheEntry;

static KeyCacheEntry key_cache[KEY_CACHE_SLOTS];
static int	key_cache_next = 0;

static void
key_cache_wipe_text(void *arg)
{
	KeyCacheEntry *e = (KeyCacheEntry *) arg;

	OPENSSL_cleanse(e->text, e->len);
}

AuthKey *
auth_key_cached(const char *text, size_t len, bool for_signing)
{
	KeyCacheEntry *e;
	MemoryContext cxt;
	MemoryContext old;
	MemoryContextCallback *cb;
	AuthKey    *key;

	for (int i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		e = &key_cache[i];
		if (e->cxt && e->len == len && e->for_signing == for_signing &&
			CRYPTO_memcmp(e->text, text, len) == 0)
			return e->key;
	}
	if (len > KEY_CACHE_MAX_TEXT)
		return auth_key_from_text(text, len, for_signing);

	cxt = AllocSetContextCreate(TopMemoryContext, "auth_ext explicit key",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		key = auth_key_from_text(text, len, for_signing);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);

	e = &key_cache[key_cache_next];
	key_cache_next = (key_cache_next + 1) % KEY_CACHE_SLOTS;
	if (e->cxt)
		MemoryContextDelete(e->cxt);
	e->cxt = cxt;
	e->text = MemoryContextAlloc(cxt, len > 0 ? len : 1);
	memcpy(e->text, text, len);
	e->len = len;
	e->for_signing = for_signing;
	e->key = key;
	cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));
	cb->func = key_cache_wipe_text;
	cb->arg = e;
	MemoryContextRegisterResetCallback(cxt, cb);
	return key;
}

/*
 * A key as stored in auth.keys: private material is PKCS#8 PEM for
 * asymmetric keys and the raw secret for HMAC keys; verify-only asymmetric
 * keys have only their public JWK.
 */
AuthKey *
auth_key_from_stored(JwsAlg alg, Jsonb *public_jwk,
					 const unsigned char *priv, size_t priv_len, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	AuthKey    *key;

	if (jws_algs[alg].kty == AUTH_KTY_OCT)
	{
		if (priv == NULL)
			bad_key("stored HMAC key has no secret");
		key = key_from_secret(priv, priv_len, cxt);
	}
	else if (priv != NULL)
		key = key_from_pem((const char *) priv, priv_len, false);
	else
		key = auth_key_from_jwk(public_jwk, false, false);
	if (key->alg != JWS_ALG_INVALID && key->alg != alg)
		bad_key("stored key does not match its algorithm");
	key->alg = JWS_ALG_INVALID;
	if (!auth_key_fits(key, alg))
		bad_key("stored key does not match its algorithm");
	key->alg = alg;
	MemoryContextSwitchTo(old);
	return key;
}

/*
 * Why key may not sign/verify with alg (key type, curve, size, binding), as
 * a sentence for errdetail, or NULL when it may.
 */
const char *
auth_key_misfit(const AuthKey *key, JwsAlg alg)
{
	const JwsAlgInfo *info;

	if (alg < 0 || alg >= JWS_NUM_ALGS)
		return "The algorithm is not supported.";
	info = &jws_algs[alg];
	if (key->alg != JWS_ALG_INVALID && key->alg != alg)
		return psprintf("The key is bound to algorithm %s.", jws_algs[key->alg].name);
	if (key->kty != info->kty)
		return psprintf("%s needs %s key.", info->name,
						info->kty == AUTH_KTY_OCT ? "an HMAC" :
						info->kty == AUTH_KTY_RSA ? "an RSA" :
						info->kty == AUTH_KTY_EC ? "an EC" : "an Ed25519");
	if (key->kty == AUTH_KTY_OCT && key->secret_len < (size_t) info->size)
		/* RFC 7518 3.2: a key at least as long as the hash output */
		return psprintf("%s needs a secret of at least %d bytes.", info->name, info->size);
	if (key->kty == AUTH_KTY_EC &&
		(key->group == NULL || strcmp(key->group, info->group) != 0))
		return psprintf("%s needs a key on curve %s.", info->name, info->crv);
	return NULL;
}

/* Whether key may sign/verify with alg. */
bool
auth_key_fits(const AuthKey *key, JwsAlg alg)
{
	const JwsAlgInfo *info;

	if (alg < 0 || alg >= JWS_NUM_ALGS)
		return false;
	info = &jws_algs[alg];
	if ((key->alg != JWS_ALG_INVALID && key->alg != alg) || key->kty != info->kty)
		return false;
	if (key->kty == AUTH_KTY_OCT)
		return key->secret_len >= (size_t) info->size;
	if (key->kty == AUTH_KTY_EC)
		return key->group != NULL && strcmp(key->group, info->group) == 0;
	return true;
}

/* The algorithm a key serves when nothing else says: its binding or curve. */
JwsAlg
auth_key_default_alg(const AuthKey *key)
{
	if (key->alg != JWS_ALG_INVALID)
		return key->alg;
	if (key->kty == AUTH_KTY_OKP)
		return JWS_EDDSA;
	if (key->kty == AUTH_KTY_EC)
		for (int a = JWS_ES256; a <= JWS_ES512; a++)
			if (strcmp(key->group, jws_algs[a].group) == 0)
				return (JwsAlg) a;
	return JWS_ALG_INVALID;
}

/* ---- generation and export ---- */

AuthKey *
auth_key_generate(JwsAlg alg)
{
	const JwsAlgInfo *info = &jws_algs[alg];
	AuthKey    *key = auth_key_new(CurrentMemoryContext);

	key->kty = info->kty;
	key->has_private = true;
	switch (info->kty)
	{
		case AUTH_KTY_OCT:
			/* 64 bytes: enough for HS512 (RFC 7518 3.2) */
			key->secret_len = 64;
			key->secret = palloc(key->secret_len);
			if (RAND_bytes(key->secret, (int) key->secret_len) != 1)
				elog(ERROR, "RAND_bytes() failed");
			break;
		case AUTH_KTY_RSA:
			key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
			break;
		case AUTH_KTY_EC:
			key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", info->group);
			break;
		case AUTH_KTY_OKP:
			key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
			break;
	}
	if (info->kty != AUTH_KTY_OCT)
	{
		if (key->pkey == NULL)
			elog(ERROR, "EVP_PKEY_Q_keygen() failed for %s", info->name);
		key_describe_pkey(key);
	}
	key->alg = alg;
	return key;
}

/* Private material as stored: PKCS#8 PEM, or the HMAC secret. */
bytea *
auth_key_private_bytes(const AuthKey *key)
{
	bytea	   *out;
	BIO		   *bio;
	char	   *data;
	long		len;

	if (key->kty == AUTH_KTY_OCT)
	{
		out = palloc(VARHDRSZ + key->secret_len);
		SET_VARSIZE(out, VARHDRSZ + key->secret_len);
		memcpy(VARDATA(out), key->secret, key->secret_len);
		return out;
	}
	/* secure-memory BIO: wiped when freed */
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL)
		elog(ERROR, "BIO_new() failed");
	if (PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
		(len = BIO_get_mem_data(bio, &data)) <= 0)
	{
		BIO_free(bio);
		elog(ERROR, "PEM_write_bio_PrivateKey() failed");
	}
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), data, len);
	BIO_free(bio);
	return out;
}

static char *
bn_param_b64(EVP_PKEY *pkey, const char *name, int pad)
{
	BIGNUM	   *bn = NULL;
	unsigned char *buf;
	int			len;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		elog(ERROR, "EVP_PKEY_get_bn_param(%s) failed", name);
	len = pad > 0 ? pad : BN_num_bytes(bn);
	buf = palloc(len > 0 ? len : 1);
	if (BN_bn2binpad(bn, buf, len) < 0)
	{
		BN_free(bn);
		elog(ERROR, "BN_bn2binpad() failed");
	}
	BN_free(bn);
	return b64url_cstring(buf, len);
}

/*
 * The RFC 7638 required public members of a key, in lexicographic order
 * of their names.  For an HMAC key the secret is its only member, so it
 * is returned only when with_secret.  Returns the number of members.
 */
static int
key_required_members(const AuthKey *key, const char **names, char **values, bool with_secret)
{
	int			n = 0;

	switch (key->kty)
	{
		case AUTH_KTY_OCT:
			if (with_secret)
			{
				names[n] = "k";
				values[n++] = b64url_cstring(key->secret, key->secret_len);
			}
			names[n] = "kty";
			values[n++] = "oct";
			break;
		case AUTH_KTY_RSA:
			names[n] = "e";
			values[n++] = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
			names[n] = "kty";
			values[n++] = "RSA";
			names[n] = "n";
			values[n++] = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
			break;
		case AUTH_KTY_EC:
			{
				JwsAlg		a = auth_key_default_alg(key);

				names[n] = "crv";
				values[n++] = (char *) jws_algs[a].crv;
				names[n] = "kty";
				values[n++] = "EC";
				names[n] = "x";
				values[n++] = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, jws_algs[a].size);
				names[n] = "y";
				values[n++] = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, jws_algs[a].size);
				break;
			}
		case AUTH_KTY_OKP:
			{
				unsigned char raw[32];
				size_t		len = sizeof(raw);

				if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &len) != 1)
					elog(ERROR, "EVP_PKEY_get_raw_public_key() failed");
				names[n] = "crv";
				values[n++] = "Ed25519";
				names[n] = "kty";
				values[n++] = "OKP";
				names[n] = "x";
				values[n++] = b64url_cstring(raw, len);
				break;
			}
	}
	return n;
}

Jsonb *
auth_jsonb_object(const char **names, char **values, int n)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		JsonbValue	k,
					v;

		k.type = jbvString;
		k.val.string.val = (char *) names[i];
		k.val.string.len = strlen(names[i]);
		v.type = jbvString;
		v.val.string.val = values[i];
		v.val.string.len = strlen(values[i]);
		pushJsonbValue(&st, WJB_KEY, &k);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/*
 * The public JWK of a key with kid, alg and use "sig" (RFC 7517).  For an
 * HMAC key only {"kty":"oct",...} without the secret.
 */
Jsonb *
auth_key_public_jwk(const AuthKey *key, JwsAlg alg, const char *kid)
{
	const char *names[8];
	char	   *values[8];
	int			n = key_required_members(key, names, values, false);

	names[n] = "alg";
	values[n++] = (char *) jws_algs[alg].name;
	if (kid)
	{
		names[n] = "kid";
		values[n++] = (char *) kid;
	}
	names[n] = "use";
	values[n++] = "sig";
	return auth_jsonb_object(names, values, n);
}

/* RFC 7638 JWK thumbprint (SHA-256, base64url). */
char *
auth_key_thumbprint(const AuthKey *key)
{
	const char *names[4];
	char	   *values[4];
	int			n = key_required_members(key, names, values, true);
	StringInfoData buf;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s\"%s\":\"%s\"", i ? "," : "", names[i], values[i]);
	appendStringInfoChar(&buf, '}');
	if (EVP_Digest(buf.data, buf.len, md, &mdlen, EVP_sha256(), NULL) != 1)
		elog(ERROR, "EVP_Digest() failed");
	if (key->kty == AUTH_KTY_OCT)
		OPENSSL_cleanse(buf.data, buf.len);
	return b64url_cstring(md, mdlen);
}
