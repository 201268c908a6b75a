/*-------------------------------------------------------------------------
 *
 * rawcrypto.c
 *	  The physical limit: the raw cost of every cryptographic operation that
 *	  auth_ext performs on its hot paths, timed in a plain C loop with the
 *	  same libraries (OpenSSL 3 libcrypto, libargon2) and the same inputs as
 *	  the SQL benchmarks, outside any server.
 *
 * Usage: rawcrypto [-r REPEATS] [-t SECONDS] [-i FILE] [-o PREFIXES] [-a]
 *	 -r  timed repetitions per operation (default 5), after one warm-up
 *	 -t  target CPU time of one repetition in seconds (default 0.2)
 *	 -o  only the operations whose names start with one of these
 *		 comma-separated prefixes (e.g. "hs256,b64url")
 *	 -i  file holding a typical compact JWS; its "header.payload" is the
 *		 signing input and its payload segment the base64url input (default:
 *		 a built-in token shaped like the ones auth.signin() issues)
 *	 -a  skip Argon2id (it is slow)
 *
 * Output, machine-readable: per operation one line
 *	 desc <operation> <what it does, free text>
 * then one line per repetition
 *	 raw <operation> <iterations> <total nanoseconds>
 * plus "#" comment lines.  Times are CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID), so other load on the machine inflates them
 * little.  Keys are generated once; every operation reuses
 * what a well-written implementation would keep between calls (the HMAC key
 * schedule, the parsed EVP_PKEY, a verify context), so the figure is the
 * floor any SQL function doing the same work can approach.
 *
 * Built by scripts/bench.sh: cc -O2 bench/rawcrypto.c -lcrypto -largon2
 *
 * bench/rawcrypto.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <argon2.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

/*
 * Shaped like a token from auth.signin(): EdDSA header with a kid; claims
 * sub, user_id, email, name, iat, exp, jti, role.  Only the header.payload
 * part matters; the signature segment is a placeholder.
 */
static const char *default_token =
"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Ik5qQTVPVGhqTXpBdFpHTTVaUzAwIn0."
"eyJzdWIiOiI0ZjJlOGE1MC0xYzNkLTRiOWUtOGY3YS0yZDZlNWMxYjBhOTMiLCJ1c2VyX2lkIjoiNGYyZThhNTAtMWMzZC00YjllLThmN2EtMmQ2ZTVjMWIwYTkzIiwiZW1haWwiOiJhbGljZUBleGFtcGxlLmNvbSIsIm5hbWUiOiJBbGljZSBFeGFtcGxlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQ2MDQ4MDAsImp0aSI6IlZzTTJfUWt3b0RHeXZfN1RLX19ZR1EiLCJyb2xlIjoiYXV0aGVudGljYXRlZCJ9."
"c2ln";

static int	repeats = 5;
static double target_seconds = 0.2;

static unsigned char *signing_input;
static size_t signing_len;
static const char *payload_b64;
static size_t payload_b64_len;

static void
die(const char *what)
{
	fprintf(stderr, "rawcrypto: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/*
 * CPU time of this process, not wall time: the machine may be shared, and
 * the SQL figures beside these are backend CPU time too.
 */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* One benchmarked operation: fn(arg) does it once. */
typedef void (*OpFn) (void *arg);

/*
 * Calibrates an iteration count that takes about target_seconds, runs one
 * warm-up repetition, then prints `repeats` timed repetitions.
 */
static const char *only = NULL;	/* -o: comma-separated name prefixes */

static int
selected(const char *name)
{
	const char *p = only;

	if (only == NULL)
		return 1;
	while (*p)
	{
		size_t		n = strcspn(p, ",");

		if (n > 0 && strncmp(name, p, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void
bench(const char *name, const char *desc, OpFn fn, void *arg)
{
	uint64_t	iters = 1;
	uint64_t	t0,
				el;

	if (!selected(name))
		return;

	for (;;)
	{
		t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++)
			fn(arg);
		el = now_ns() - t0;
		if (el >= target_seconds * 1e9 / 4 || iters >= (1u << 30))
			break;
		iters *= 2;
	}
	printf("desc %s %s\n", name, desc);
	iters = (uint64_t) (iters * (target_seconds * 1e9 / (double) (el ? el : 1)));
	if (iters < 1)
		iters = 1;

	for (int r = -1; r < repeats; r++)
	{
		t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++)
			fn(arg);
		el = now_ns() - t0;
		if (r >= 0)
			printf("raw %s %llu %llu\n", name, (unsigned long long) iters,
				   (unsigned long long) el);
	}
	fflush(stdout);
}

/* ---- base64url decode: strict, table-driven, no padding ---- */

static signed char b64url_table[256];

static void
b64url_init(void)
{
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	memset(b64url_table, -1, sizeof(b64url_table));
	for (int i = 0; i < 64; i++)
		b64url_table[(unsigned char) alpha[i]] = (signed char) i;
}

/* Returns decoded length, or -1 on a character outside the alphabet. */
static long
b64url_decode(const char *in, size_t len, unsigned char *out)
{
	uint32_t	acc = 0;
	int			bits = 0;
	long		n = 0;

	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++)
	{
		int			v = b64url_table[(unsigned char) in[i]];

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (unsigned char) (acc >> bits);
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return n;
}

static unsigned char decode_buf[16384];

static void
op_b64url_decode(void *arg)
{
	(void) arg;
	if (b64url_decode(payload_b64, payload_b64_len, decode_buf) < 0)
		die("base64url decode");
}

/* OpenSSL's own base64 (standard alphabet): translate, pad, EVP_DecodeBlock */
static void
op_b64_openssl(void *arg)
{
	static char tmp[16384];
	size_t		n = payload_b64_len;

	(void) arg;
	for (size_t i = 0; i < n; i++)
	{
		char		c = payload_b64[i];

		tmp[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (n % 4)
		tmp[n++] = '=';
	if (EVP_DecodeBlock(decode_buf, (unsigned char *) tmp, (int) n) < 0)
		die("EVP_DecodeBlock");
}

/* ---- HMAC ---- */

typedef struct HmacOp
{
	EVP_MAC_CTX *ctx;			/* keyed once */
	EVP_MAC    *mac;
	const char *digest;
	unsigned char key[64];
	unsigned char expect[EVP_MAX_MD_SIZE];
	size_t		expect_len;
} HmacOp;

/* reused key context: EVP_MAC_init with a NULL key keeps the key schedule */
static void
op_hmac_reuse(void *arg)
{
	HmacOp	   *h = arg;
	unsigned char out[EVP_MAX_MD_SIZE];
	size_t		outlen;

	if (!EVP_MAC_init(h->ctx, NULL, 0, NULL) ||
		!EVP_MAC_update(h->ctx, signing_input, signing_len) ||
		!EVP_MAC_final(h->ctx, out, &outlen, sizeof(out)))
		die("EVP_MAC");
	if (CRYPTO_memcmp(out, h->expect, outlen) != 0)
		die("HMAC compare");
}

/* what a naive implementation pays: a fresh context keyed on every call */
static void
op_hmac_fresh(void *arg)
{
	HmacOp	   *h = arg;
	unsigned char out[EVP_MAX_MD_SIZE];
	size_t		outlen;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(h->mac);
	OSSL_PARAM	params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *) h->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || !EVP_MAC_init(ctx, h->key, sizeof(h->key), params) ||
		!EVP_MAC_update(ctx, signing_input, signing_len) ||
		!EVP_MAC_final(ctx, out, &outlen, sizeof(out)))
		die("EVP_MAC fresh");
	EVP_MAC_CTX_free(ctx);
	if (CRYPTO_memcmp(out, h->expect, outlen) != 0)
		die("HMAC compare");
}

static void
run_hmac(const char *digest, const char *name)
{
	HmacOp		h;
	OSSL_PARAM	params[2];
	char		label[64];

	memset(&h, 0, sizeof(h));
	h.digest = digest;
	if (RAND_bytes(h.key, sizeof(h.key)) != 1)
		die("RAND_bytes");
	h.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	h.ctx = EVP_MAC_CTX_new(h.mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *) digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!h.mac || !h.ctx || !EVP_MAC_init(h.ctx, h.key, sizeof(h.key), params) ||
		!EVP_MAC_update(h.ctx, signing_input, signing_len) ||
		!EVP_MAC_final(h.ctx, h.expect, &h.expect_len, sizeof(h.expect)))
		die("HMAC setup");

	snprintf(label, sizeof(label), "%s_verify", name);
	bench(label, "HMAC of the signing input with a reused keyed EVP_MAC_CTX, plus CRYPTO_memcmp", op_hmac_reuse, &h);
	snprintf(label, sizeof(label), "%s_verify_freshkey", name);
	bench(label, "the same with a fresh EVP_MAC_CTX keyed on every call", op_hmac_fresh, &h);

	EVP_MAC_CTX_free(h.ctx);
	EVP_MAC_free(h.mac);
}

/* ---- signatures ---- */

typedef struct SigOp
{
	EVP_PKEY   *pkey;
	const EVP_MD *md;			/* NULL for Ed25519 */
	int			pss;
	unsigned char sig[1024];
	size_t		siglen;
	EVP_PKEY_CTX *vctx;			/* reused verify context (digest-then-verify) */
	unsigned char digest[EVP_MAX_MD_SIZE];
} SigOp;

static void
set_pss(EVP_PKEY_CTX *pctx)
{
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)
		die("PSS params");
}

/* EVP_DigestSign over the signing input, a fresh EVP_MD_CTX per call */
static void
op_sign(void *arg)
{
	SigOp	   *s = arg;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t		len = sizeof(s->sig);

	if (!mctx || EVP_DigestSignInit(mctx, &pctx, s->md, NULL, s->pkey) != 1)
		die("DigestSignInit");
	if (s->pss)
		set_pss(pctx);
	if (EVP_DigestSign(mctx, s->sig, &len, signing_input, signing_len) != 1)
		die("DigestSign");
	s->siglen = len;
	EVP_MD_CTX_free(mctx);
}

/* EVP_DigestVerify over the signing input, a fresh EVP_MD_CTX per call */
static void
op_verify(void *arg)
{
	SigOp	   *s = arg;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	if (!mctx || EVP_DigestVerifyInit(mctx, &pctx, s->md, NULL, s->pkey) != 1)
		die("DigestVerifyInit");
	if (s->pss)
		set_pss(pctx);
	if (EVP_DigestVerify(mctx, s->sig, s->siglen, signing_input, signing_len) != 1)
		die("DigestVerify");
	EVP_MD_CTX_free(mctx);
}

/*
 * The leanest verify OpenSSL allows: one-shot digest, then EVP_PKEY_verify
 * on a context initialised once (not possible for Ed25519, which hashes
 * internally).
 */
static void
op_verify_reuse(void *arg)
{
	SigOp	   *s = arg;
	unsigned int dlen;

	if (EVP_Digest(signing_input, signing_len, s->digest, &dlen, s->md, NULL) != 1)
		die("EVP_Digest");
	if (EVP_PKEY_verify(s->vctx, s->sig, s->siglen, s->digest, dlen) != 1)
		die("EVP_PKEY_verify");
}

/* JOSE carries ECDSA signatures as raw R||S: the DER conversion a verifier adds */
static void
op_ecdsa_raw_to_der(void *arg)
{
	SigOp	   *s = arg;
	static unsigned char raw[64];
	static int	have_raw = 0;
	unsigned char der[80];
	unsigned char *p = der;
	ECDSA_SIG  *es;
	BIGNUM	   *r,
			   *sv;

	if (!have_raw)
	{
		const unsigned char *q = s->sig;
		ECDSA_SIG  *e = d2i_ECDSA_SIG(NULL, &q, (long) s->siglen);

		if (!e)
			die("d2i_ECDSA_SIG");
		BN_bn2binpad(ECDSA_SIG_get0_r(e), raw, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(e), raw + 32, 32);
		ECDSA_SIG_free(e);
		have_raw = 1;
	}
	es = ECDSA_SIG_new();
	r = BN_bin2bn(raw, 32, NULL);
	sv = BN_bin2bn(raw + 32, 32, NULL);
	if (!es || !r || !sv || !ECDSA_SIG_set0(es, r, sv) || i2d_ECDSA_SIG(es, &p) <= 0)
		die("ECDSA_SIG");
	ECDSA_SIG_free(es);
}

static void
run_sig(const char *name, EVP_PKEY *pkey, const EVP_MD *md, int pss)
{
	SigOp		s;
	char		label[64];

	memset(&s, 0, sizeof(s));
	s.pkey = pkey;
	s.md = md;
	s.pss = pss;
	op_sign(&s);
	op_verify(&s);

	snprintf(label, sizeof(label), "%s_sign", name);
	bench(label, "EVP_DigestSign of the signing input, fresh EVP_MD_CTX per call, parsed key reused", op_sign, &s);
	/* PSS signatures are randomised: sign once more so verify sees a fixed one */
	op_sign(&s);
	snprintf(label, sizeof(label), "%s_verify", name);
	bench(label, "EVP_DigestVerify of the signing input, fresh EVP_MD_CTX per call, parsed key reused", op_verify, &s);

	if (md != NULL)
	{
		s.vctx = EVP_PKEY_CTX_new(pkey, NULL);
		if (!s.vctx || EVP_PKEY_verify_init(s.vctx) != 1 ||
			EVP_PKEY_CTX_set_signature_md(s.vctx, md) <= 0)
			die("EVP_PKEY_verify_init");
		if (pss)
			set_pss(s.vctx);
		op_verify_reuse(&s);
		snprintf(label, sizeof(label), "%s_verify_reusectx", name);
		bench(label, "EVP_Digest then EVP_PKEY_verify on a verify context initialised once", op_verify_reuse, &s);
		EVP_PKEY_CTX_free(s.vctx);
	}
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC)
	{
		snprintf(label, sizeof(label), "%s_rawsig_to_der", name);
		bench(label, "JOSE raw R||S signature to DER (ECDSA_SIG), what an ES256 verifier adds", op_ecdsa_raw_to_der, &s);
	}
}

static EVP_PKEY *
keygen(const char *type, const char *param)
{
	EVP_PKEY   *pkey = NULL;

	if (strcmp(type, "RSA") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
	else if (strcmp(type, "EC") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", param);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, type);
	if (!pkey)
		die("keygen");
	return pkey;
}

/* ---- Argon2id ---- */

typedef struct ArgonOp
{
	uint32_t	t,
				m,
				p;
	unsigned char salt[16];
	const char *pwd;
	int			encoded;
} ArgonOp;

static void
op_argon2id(void *arg)
{
	ArgonOp    *a = arg;
	unsigned char out[32];
	char		enc[128];
	int			rc;

	if (a->encoded)
		rc = argon2id_hash_encoded(a->t, a->m, a->p, a->pwd, strlen(a->pwd),
								   a->salt, sizeof(a->salt), sizeof(out), enc, sizeof(enc));
	else
		rc = argon2id_hash_raw(a->t, a->m, a->p, a->pwd, strlen(a->pwd),
							   a->salt, sizeof(a->salt), out, sizeof(out));
	if (rc != ARGON2_OK)
		die(argon2_error_message(rc));
}

static void
op_argon2id_verify(void *arg)
{
	static char enc[128];
	static int	have = 0;
	ArgonOp    *a = arg;
	int			rc;

	if (!have)
	{
		unsigned char out[32];

		if (argon2id_hash_encoded(a->t, a->m, a->p, a->pwd, strlen(a->pwd),
								  a->salt, sizeof(a->salt), sizeof(out), enc, sizeof(enc)) != ARGON2_OK)
			die("argon2id_hash_encoded");
		have = 1;
	}
	rc = argon2id_verify(enc, a->pwd, strlen(a->pwd));
	if (rc != ARGON2_OK)
		die(argon2_error_message(rc));
}

static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *buf = malloc(65536);
	size_t		n;

	if (!f || !buf)
		die("reading the token file");
	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

int
main(int argc, char **argv)
{
	const char *token = default_token;
	int			skip_argon = 0;
	int			c;
	const char *dot1,
			   *dot2;

	while ((c = getopt(argc, argv, "r:t:i:o:a")) != -1)
	{
		switch (c)
		{
			case 'r':
				repeats = atoi(optarg);
				break;
			case 't':
				target_seconds = atof(optarg);
				break;
			case 'i':
				token = read_file(optarg);
				break;
			case 'a':
				skip_argon = 1;
				break;
			case 'o':
				only = optarg;
				break;
			default:
				fprintf(stderr, "usage: rawcrypto [-r REPEATS] [-t SECONDS] [-i TOKENFILE] [-o PREFIXES] [-a]\n");
				return 2;
		}
	}

	dot1 = strchr(token, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2)
	{
		fprintf(stderr, "rawcrypto: the token is not a compact JWS\n");
		return 2;
	}
	signing_len = (size_t) (dot2 - token);
	signing_input = (unsigned char *) strndup(token, signing_len);
	payload_b64 = dot1 + 1;
	payload_b64_len = (size_t) (dot2 - payload_b64);
	b64url_init();
	if (b64url_decode(payload_b64, payload_b64_len, decode_buf) < 0)
	{
		fprintf(stderr, "rawcrypto: the payload is not base64url\n");
		return 2;
	}

	printf("# rawcrypto: %s; signing input %zu bytes, payload %zu base64url chars\n",
		   OpenSSL_version(OPENSSL_VERSION), signing_len, payload_b64_len);
	printf("# format: desc <operation> <text> / raw <operation> <iterations> <total ns>\n");

	bench("b64url_decode_payload", "strict table-driven base64url decode of the token's payload segment", op_b64url_decode, NULL);
	bench("b64url_decode_payload_openssl", "the same with OpenSSL EVP_DecodeBlock after translating to standard base64", op_b64_openssl, NULL);

	run_hmac("SHA256", "hs256");
	run_hmac("SHA384", "hs384");
	run_hmac("SHA512", "hs512");

	if (selected("eddsa_"))
		run_sig("eddsa", keygen("ED25519", NULL), NULL, 0);
	if (selected("es256_"))
		run_sig("es256", keygen("EC", "P-256"), EVP_sha256(), 0);
	if (selected("rs256_") || selected("ps256_"))
	{
		EVP_PKEY   *rsa = keygen("RSA", NULL);

		if (selected("rs256_"))
			run_sig("rs256", rsa, EVP_sha256(), 0);
		if (selected("ps256_"))
			run_sig("ps256", rsa, EVP_sha256(), 1);
	}

	if (!skip_argon && selected("argon2id_"))
	{
		ArgonOp		a = {2, 19456, 1, {0}, "correct horse battery staple", 0};

		if (RAND_bytes(a.salt, sizeof(a.salt)) != 1)
			die("RAND_bytes");
		bench("argon2id_hash_raw_default", "argon2id_hash_raw m=19456 t=2 p=1, 16-byte salt, 32-byte hash", op_argon2id, &a);
		a.encoded = 1;
		bench("argon2id_hash_encoded_default", "argon2id_hash_encoded (PHC string) at the same parameters", op_argon2id, &a);
		bench("argon2id_verify_default", "argon2id_verify of a PHC string at the same parameters", op_argon2id_verify, &a);
	}
	return 0;
}
