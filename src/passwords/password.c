/*-------------------------------------------------------------------------
 *
 * password.c
 *	  The password area: auth.hash_password(), auth.verify_password() and
 *	  auth.password_needs_rehash(), with their admin settings.
 *
 * Every primitive comes from a library: Argon2 from libargon2 (one thread,
 * p lanes, memory from our memory contexts), scrypt and PBKDF2 from OpenSSL,
 * bcrypt and the crypt(3) formats from libxcrypt's crypt_rn.  Hash strings
 * are parsed by src/core/hash_format.c; this file bounds every parameter
 * against the admin caps BEFORE any work, so a hostile stored hash is
 * refused in microseconds with SQLSTATE 22023 and a message naming the
 * limit; callers without the extension owner's privileges are held to
 * tighter fixed caps as well (42501, naming no limit), since none of these
 * libraries can be interrupted once it has started.  Results are compared with CRYPTO_memcmp.  Password copies and
 * derived keys live in buffers that are wiped when their memory context is
 * reset or deleted (also on error), and explicitly on the normal path.
 *
 * src/passwords/password.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "admin.h"
#include "auth_ext.h"
#include "hash_format.h"

/* Longest password accepted, in bytes: longer ones are refused, never cut. */
#define MAX_PASSWORD_BYTES	4096
/* bcrypt reads at most this many bytes of a password */
#define BCRYPT_MAX_BYTES	72
/* libxcrypt refuses longer passphrases (CRYPT_MAX_PASSPHRASE_SIZE) */
#define CRYPT_MAX_BYTES		511
/* yescrypt's time parameter t: fixed cap (libxcrypt itself makes t <= 1) */
#define YESCRYPT_MAX_T		8

#define SALT_BYTES			16	/* new hashes: salt from RAND_bytes */
#define ARGON2_TAG_BYTES	32
#define SCRYPT_KEY_BYTES	32
#define PBKDF2_KEY_BYTES	32

/* ---- settings ---- */
enum
{
	S_ARGON2_M,
	S_ARGON2_T,
	S_ARGON2_P,
	S_ARGON2_MAX_M,
	S_ARGON2_MAX_T,
	S_ARGON2_MAX_P,
	S_BCRYPT_COST,
	S_BCRYPT_MAX_COST,
	S_SCRYPT_LN,
	S_SCRYPT_R,
	S_SCRYPT_P,
	S_SCRYPT_MAX_MEM,
	S_SCRYPT_MAX_P,
	S_PBKDF2_I,
	S_PBKDF2_MAX_I,
	S_SHA_CRYPT_MAX_ROUNDS
};

static AuthSetting password_settings[] = {
	[S_ARGON2_M] = {"password.argon2_memory_kib", AUTH_SETTING_INT, "19456", 8, 4194304,
	"Argon2id memory cost m (KiB) of new hashes (OWASP: 19456)", NULL, 0},
	[S_ARGON2_T] = {"password.argon2_iterations", AUTH_SETTING_INT, "2", 1, 1000,
	"Argon2id iterations t of new hashes (OWASP: 2)", NULL, 0},
	[S_ARGON2_P] = {"password.argon2_parallelism", AUTH_SETTING_INT, "1", 1, 255,
	"Argon2id lanes p of new hashes (computed on one thread)", NULL, 0},
	[S_ARGON2_MAX_M] = {"password.argon2_max_memory_kib", AUTH_SETTING_INT, "262144", 8, 4194304,
	"largest Argon2 memory cost m (KiB) accepted in any hash", NULL, 0},
	[S_ARGON2_MAX_T] = {"password.argon2_max_iterations", AUTH_SETTING_INT, "16", 1, 1000,
	"largest Argon2 iterations t accepted in any hash", NULL, 0},
	[S_ARGON2_MAX_P] = {"password.argon2_max_parallelism", AUTH_SETTING_INT, "16", 1, 255,
	"largest Argon2 lanes p accepted in any hash", NULL, 0},
	[S_BCRYPT_COST] = {"password.bcrypt_cost", AUTH_SETTING_INT, "12", 4, 31,
	"bcrypt cost (log2 rounds) of new bcrypt hashes", NULL, 0},
	[S_BCRYPT_MAX_COST] = {"password.bcrypt_max_cost", AUTH_SETTING_INT, "16", 4, 31,
	"largest bcrypt cost accepted in any hash", NULL, 0},
	[S_SCRYPT_LN] = {"password.scrypt_log2_n", AUTH_SETTING_INT, "17", 1, 40,
	"scrypt log2(N) of new scrypt hashes (OWASP: N=2^17)", NULL, 0},
	[S_SCRYPT_R] = {"password.scrypt_r", AUTH_SETTING_INT, "8", 1, 1024,
	"scrypt block size r of new scrypt hashes", NULL, 0},
	[S_SCRYPT_P] = {"password.scrypt_p", AUTH_SETTING_INT, "1", 1, 1024,
	"scrypt parallelism p of new scrypt hashes", NULL, 0},
	[S_SCRYPT_MAX_MEM] = {"password.scrypt_max_memory_kib", AUTH_SETTING_INT, "262144", 1, 4194304,
	"largest scrypt/yescrypt memory 128*N*r (KiB) accepted in any hash", NULL, 0},
	[S_SCRYPT_MAX_P] = {"password.scrypt_max_parallelism", AUTH_SETTING_INT, "16", 1, 1024,
	"largest scrypt/yescrypt parallelism p accepted in any hash", NULL, 0},
	[S_PBKDF2_I] = {"password.pbkdf2_iterations", AUTH_SETTING_INT, "600000", 1, 1000000000,
	"PBKDF2-SHA256 iterations of new pbkdf2-sha256 hashes (OWASP: 600000)", NULL, 0},
	[S_PBKDF2_MAX_I] = {"password.pbkdf2_max_iterations", AUTH_SETTING_INT, "10000000", 1, 1000000000,
	"largest PBKDF2 iteration count accepted in any hash", NULL, 0},
	[S_SHA_CRYPT_MAX_ROUNDS] = {"password.sha_crypt_max_rounds", AUTH_SETTING_INT, "1000000", 1000, 999999999,
	"largest rounds= accepted in $5$/$6$ (sha-crypt) hashes", NULL, 0},
};

#define SETTING(i) auth_setting_int(&password_settings[i])

void
auth_password_init(void)
{
	auth_register_settings(password_settings, lengthof(password_settings));
}

/* ---- secret buffers: wiped at context reset/delete, error or not ---- */

typedef struct SecretBuf
{
	void	   *data;
	Size		len;
	MemoryContextCallback cb;
} SecretBuf;

static void
secret_wipe(void *arg)
{
	SecretBuf  *s = (SecretBuf *) arg;

	OPENSSL_cleanse(s->data, s->len);
}

/*
 * Returns len zeroed bytes in CurrentMemoryContext that are wiped before the
 * context releases them.  Never pfree the result (the callback would touch
 * freed memory); wipe early with OPENSSL_cleanse if you like.
 */
static void *
secret_alloc(Size len)
{
	SecretBuf  *s = palloc(sizeof(SecretBuf));

	s->data = palloc0(len);
	s->len = len;
	s->cb.func = secret_wipe;
	s->cb.arg = s;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &s->cb);
	return s->data;
}

typedef struct Password
{
	char	   *data;			/* NUL-terminated copy, a secret buffer */
	int			len;
} Password;

/*
 * Copies a password into a secret buffer.  Throws 22023 when it is over
 * MAX_PASSWORD_BYTES: we never truncate.
 */
static Password
password_from_text(const text *t)
{
	Password	pw;

	pw.len = VARSIZE_ANY_EXHDR(t);
	if (pw.len > MAX_PASSWORD_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password is too long"),
				 errdetail("Passwords are limited to %d bytes; this one has %d.",
						   MAX_PASSWORD_BYTES, pw.len)));
	pw.data = secret_alloc(pw.len + 1);
	memcpy(pw.data, VARDATA_ANY(t), pw.len);
	return pw;
}

/* Password argument argno; a detoasted copy made on the way is wiped. */
static Password
get_password(FunctionCallInfo fcinfo, int argno)
{
	Pointer		raw = DatumGetPointer(PG_GETARG_DATUM(argno));
	text	   *t = PG_GETARG_TEXT_PP(argno);
	Password	pw = password_from_text(t);

	if ((Pointer) t != raw)
		OPENSSL_cleanse(VARDATA_ANY(t), pw.len);
	return pw;
}

/* ---- bounds: checked before any work ---- */

/*
 * Caps for callers without the privileges of the extension owner
 * (docs/10_passwords.md, docs/70_findings.md finding 6).  Once started,
 * libargon2, OpenSSL's scrypt and PBKDF2 and libxcrypt's crypt_rn run to
 * the end: none takes a progress callback, and PBKDF2 cannot be resumed
 * through OpenSSL's API, so a statement_timeout or cancel is only seen
 * afterwards.  What everybody may ask of hash_password and verify_password
 * is therefore bounded to about a tenth to a quarter of a second of one
 * core (figures in docs/10_passwords.md); each cap is raised to the
 * configured parameter of new hashes when that is larger (every hash
 * auth.hash_password(pw) makes shows it anyway).  The admin caps
 * (password.*_max_*) still apply to everybody, the owner included.
 */
#define PUBLIC_ARGON2_MAX_M			65536	/* KiB: 64 MiB */
#define PUBLIC_ARGON2_MAX_T			4
#define PUBLIC_ARGON2_MAX_P			4
#define PUBLIC_SCRYPT_MAX_MEM		65536	/* KiB of 128*N*r: 64 MiB */
#define PUBLIC_SCRYPT_MAX_P			1
#define PUBLIC_PBKDF2_MAX_I			1000000
#define PUBLIC_BCRYPT_MAX_COST		12
#define PUBLIC_SHA_CRYPT_MAX_ROUNDS	100000

/* The public cap: fixed, or the configured parameter when larger. */
static uint64
public_cap(uint64 fixed, uint64 configured)
{
	return Max(fixed, configured);
}

/* 128 * N * r bytes in KiB, saturating */
static uint64
scrypt_memory_kib(uint32 log2_n, uint32 r)
{
	if (log2_n >= 64 || (uint64) r > (PG_UINT64_MAX >> log2_n))
		return PG_UINT64_MAX;
	return ((uint64) r << log2_n) / 8;
}

/*
 * value against the admin cap (setting) and, for a caller without the
 * owner's privileges, the public cap.  Such a caller gets one error, 42501,
 * whichever cap it exceeds, and it names neither: the admin caps are
 * readable only through auth.settings(), which is the owner's, and a
 * different error above one of them would tell it where they are.
 */
static void
check_limit(const char *what, uint64 value, int setting, uint64 public_limit)
{
	int64		limit = SETTING(setting);

	if ((value > (uint64) limit || value > public_limit) &&
		!auth_caller_has_owner_privileges())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s " UINT64_FORMAT " is more than this role may ask for", what, value),
				 errdetail("Password hashing cannot be interrupted once started, so roles without the privileges of the extension owner are held to fixed cost caps."),
				 errhint("Use lower parameters or the configured ones (auth.hash_password(password)); docs/10_passwords.md lists the caps.")));
	if (value > (uint64) limit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s " UINT64_FORMAT " exceeds the limit %s = " INT64_FORMAT,
						what, value, password_settings[setting].name, limit),
				 errhint("Stored hashes are bounded before any work; the extension owner can change the limit with auth.configure().")));
}

static void
check_limits(const ParsedHash *h)
{
	switch (h->format)
	{
		case HF_ARGON2D:
		case HF_ARGON2I:
		case HF_ARGON2ID:
			check_limit("argon2 memory cost m (KiB)", h->memory, S_ARGON2_MAX_M,
						public_cap(PUBLIC_ARGON2_MAX_M, SETTING(S_ARGON2_M)));
			check_limit("argon2 iterations t", h->iterations, S_ARGON2_MAX_T,
						public_cap(PUBLIC_ARGON2_MAX_T, SETTING(S_ARGON2_T)));
			check_limit("argon2 parallelism p", h->parallelism, S_ARGON2_MAX_P,
						public_cap(PUBLIC_ARGON2_MAX_P, SETTING(S_ARGON2_P)));
			break;
		case HF_SCRYPT:
		case HF_BETTER_AUTH:
		case HF_YESCRYPT:
			check_limit(h->format == HF_YESCRYPT ? "yescrypt memory 128*N*r (KiB)" : "scrypt memory 128*N*r (KiB)",
						scrypt_memory_kib(h->log2_n, h->block_size), S_SCRYPT_MAX_MEM,
						public_cap(PUBLIC_SCRYPT_MAX_MEM,
								   scrypt_memory_kib(SETTING(S_SCRYPT_LN), SETTING(S_SCRYPT_R))));
			check_limit(h->format == HF_YESCRYPT ? "yescrypt parallelism p" : "scrypt parallelism p",
						h->parallelism, S_SCRYPT_MAX_P,
						public_cap(PUBLIC_SCRYPT_MAX_P, SETTING(S_SCRYPT_P)));
			if (h->format == HF_YESCRYPT && h->iterations > YESCRYPT_MAX_T)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("yescrypt time parameter t " UINT64_FORMAT " exceeds the fixed limit %d",
								h->iterations, YESCRYPT_MAX_T)));
			break;
		case HF_PBKDF2_PASSLIB:
		case HF_PBKDF2_PHC:
		case HF_PBKDF2_DJANGO:
			check_limit("pbkdf2 iterations", h->iterations, S_PBKDF2_MAX_I,
						public_cap(PUBLIC_PBKDF2_MAX_I, SETTING(S_PBKDF2_I)));
			break;
		case HF_BCRYPT:
			check_limit("bcrypt cost", h->iterations, S_BCRYPT_MAX_COST,
						public_cap(PUBLIC_BCRYPT_MAX_COST, SETTING(S_BCRYPT_COST)));
			break;
		case HF_SHA256_CRYPT:
		case HF_SHA512_CRYPT:
			check_limit("sha-crypt rounds", h->iterations, S_SHA_CRYPT_MAX_ROUNDS,
						PUBLIC_SHA_CRYPT_MAX_ROUNDS);
			break;
		case HF_UNKNOWN:
			break;
	}
}

/* Parses a stored hash or throws 22023 saying what is wrong. */
static void
parse_hash(text *hash, ParsedHash *h)
{
	HashFormatError err = hf_parse(VARDATA_ANY(hash), VARSIZE_ANY_EXHDR(hash), h);

	if (err == HF_ERR_TOO_LONG)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password hash is too long"),
				 errdetail("Password hashes are at most %d bytes.", HF_MAX_HASH_LEN)));
	if (err == HF_ERR_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized password hash format"),
				 errhint("Supported: argon2i/d/id, bcrypt $2a$/$2b$/$2y$, $5$, $6$, $y$, $scrypt$, $pbkdf2-sha256$, pbkdf2_sha256$ (Django), salthex:keyhex (better-auth).")));
	if (err != HF_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s password hash", hf_format_name(h->format)),
				 errdetail("%s", hf_error_message(err))));
}

/* ---- the primitives ---- */

/* libargon2 allocates through these, from argon2_cxt */
static MemoryContext argon2_cxt = NULL;

static int
argon2_alloc(uint8_t **memory, size_t bytes)
{
	*memory = MemoryContextAllocExtended(argon2_cxt, bytes,
										 MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	return *memory ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

static void
argon2_free(uint8_t *memory, size_t bytes)
{
	/* libargon2 has wiped the blocks already */
	if (memory)
		pfree(memory);
}

/*
 * Raw Argon2 on the backend's own thread: threads = 1, lanes = p (the hash
 * does not depend on the number of threads).
 */
static void
argon2_raw(argon2_type type, uint32 version, uint32 m, uint32 t, uint32 p,
		   const Password *pw, const uint8 *salt, size_t saltlen,
		   uint8 *out, size_t outlen)
{
	argon2_context ctx;
	int			rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = outlen;
	ctx.pwd = (uint8_t *) pw->data;
	ctx.pwdlen = pw->len;
	ctx.salt = (uint8_t *) salt;
	ctx.saltlen = saltlen;
	ctx.t_cost = t;
	ctx.m_cost = m;
	ctx.lanes = p;
	ctx.threads = 1;
	ctx.version = version;
	ctx.allocate_cbk = argon2_alloc;
	ctx.free_cbk = argon2_free;
	ctx.flags = ARGON2_DEFAULT_FLAGS;

	argon2_cxt = AllocSetContextCreate(CurrentMemoryContext, "argon2",
									   ALLOCSET_DEFAULT_SIZES);
	rc = argon2_ctx(&ctx, type);
	MemoryContextDelete(argon2_cxt);
	argon2_cxt = NULL;

	if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Argon2 needed %u KiB.", m)));
	if (rc != ARGON2_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argon2 refused its parameters"),
				 errdetail("%s", argon2_error_message(rc))));
}

static void
scrypt_raw(const Password *pw, const uint8 *salt, size_t saltlen,
		   uint32 log2_n, uint32 r, uint32 p, uint8 *out, size_t outlen)
{
	uint64		n = UINT64CONST(1) << log2_n;
	/* exactly what OpenSSL needs: V = 128*r*(N+2), B = 128*r*p; caps applied */
	uint64		maxmem = 128 * (uint64) r * (n + 2) + 128 * (uint64) r * p + 4096;

	if (EVP_PBE_scrypt(pw->data, pw->len, salt, saltlen, n, r, p, maxmem,
					   out, outlen) != 1)
		elog(ERROR, "EVP_PBE_scrypt() failed");
}

static void
pbkdf2_raw(const Password *pw, const uint8 *salt, size_t saltlen,
		   uint64 iterations, uint8 *out, size_t outlen)
{
	if (PKCS5_PBKDF2_HMAC(pw->data, pw->len, salt, saltlen, (int) iterations,
						  EVP_sha256(), outlen, out) != 1)
		elog(ERROR, "PKCS5_PBKDF2_HMAC() failed");
}

/*
 * crypt_rn into a wiped buffer; returns the output string (inside that
 * buffer).  Throws 22023 when libxcrypt refuses the setting.
 */
static const char *
crypt_into(const char *phrase, const char *setting)
{
	struct crypt_data *cd = secret_alloc(sizeof(struct crypt_data));
	char	   *res;

	res = crypt_rn(phrase, setting, cd, sizeof(struct crypt_data));
	if (res == NULL || res[0] == '*')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("crypt(3) refused this password hash"),
				 errdetail("libxcrypt could not use the hash as a setting.")));
	return res;
}

static argon2_type
argon2_type_of(HashFormat f)
{
	return f == HF_ARGON2D ? Argon2_d : f == HF_ARGON2I ? Argon2_i : Argon2_id;
}

/*
 * Better-auth hashes password.normalize("NFKC") as UTF-8; ASCII needs no
 * normalisation.  Returns the password to hash (a secret buffer).
 */
static Password
nfkc_password(const Password *pw)
{
	Password	out;
	text	   *in;
	text	   *norm;
	bool		ascii = true;

	for (int i = 0; i < pw->len; i++)
		if (IS_HIGHBIT_SET(pw->data[i]))
			ascii = false;
	if (ascii)
		return *pw;
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("better-auth hashes of non-ASCII passwords need a UTF8 database")));

	in = secret_alloc(VARHDRSZ + pw->len);
	SET_VARSIZE(in, VARHDRSZ + pw->len);
	memcpy(VARDATA(in), pw->data, pw->len);
	norm = DatumGetTextPP(DirectFunctionCall2(unicode_normalize_func,
											  PointerGetDatum(in),
											  CStringGetTextDatum("NFKC")));
	out = password_from_text(norm);
	OPENSSL_cleanse(VARDATA_ANY(norm), out.len);
	return out;
}

/* constant-time comparison of two strings of public length */
static bool
same_string(const char *a, const char *b, size_t blen)
{
	return strlen(a) == blen && CRYPTO_memcmp(a, b, blen) == 0;
}

/*
 * Derives h->key_len bytes into dk from pw, with the key-derivation format,
 * parameters and salt of h (Argon2, scrypt, better-auth, PBKDF2).  The caller
 * has checked the limits.
 */
static void
derive_key(const Password *pw, const ParsedHash *h, uint8 *dk)
{
	switch (h->format)
	{
		case HF_ARGON2D:
		case HF_ARGON2I:
		case HF_ARGON2ID:
			argon2_raw(argon2_type_of(h->format), h->version, (uint32) h->memory,
					   (uint32) h->iterations, h->parallelism, pw,
					   h->salt, h->salt_len, dk, h->key_len);
			break;
		case HF_SCRYPT:
			scrypt_raw(pw, h->salt, h->salt_len, h->log2_n, h->block_size,
					   h->parallelism, dk, h->key_len);
			break;
		case HF_BETTER_AUTH:
			{
				Password	npw = nfkc_password(pw);

				scrypt_raw(&npw, h->salt, h->salt_len, h->log2_n, h->block_size,
						   h->parallelism, dk, h->key_len);
				break;
			}
		case HF_PBKDF2_PASSLIB:
		case HF_PBKDF2_PHC:
		case HF_PBKDF2_DJANGO:
			pbkdf2_raw(pw, h->salt, h->salt_len, h->iterations, dk, h->key_len);
			break;
		default:
			elog(ERROR, "%s is not a key-derivation format", hf_format_name(h->format));
	}
}

/*
 * Verifies pw against a parsed, bounded hash (hashstr is the original text,
 * NUL-terminated, for the crypt(3) formats).
 */
static bool
verify_parsed(const Password *pw, const ParsedHash *h, const char *hashstr,
			  size_t hashlen)
{
	uint8	   *dk;
	bool		ok;

	switch (h->format)
	{
		case HF_BCRYPT:
			{
				/*
				 * bcrypt reads only the first 72 bytes: verifying an
				 * existing bcrypt hash follows that rule (documented).
				 */
				char	   *phrase = secret_alloc(BCRYPT_MAX_BYTES + 1);

				memcpy(phrase, pw->data, Min(pw->len, BCRYPT_MAX_BYTES));
				return same_string(crypt_into(phrase, hashstr), hashstr, hashlen);
			}
		case HF_SHA256_CRYPT:
		case HF_SHA512_CRYPT:
		case HF_YESCRYPT:
			if (pw->len > CRYPT_MAX_BYTES)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("password is too long for a %s hash", hf_format_name(h->format)),
						 errdetail("libxcrypt accepts at most %d bytes.", CRYPT_MAX_BYTES)));
			return same_string(crypt_into(pw->data, hashstr), hashstr, hashlen);
		default:
			dk = secret_alloc(HF_MAX_KEY);
			derive_key(pw, h, dk);
			ok = CRYPTO_memcmp(dk, h->key, h->key_len) == 0;
			OPENSSL_cleanse(dk, HF_MAX_KEY);
			return ok;
	}
}

/*
 * SQL function: auth.verify_password(password text, hash text) returns boolean
 *
 * Throws 22023 for an unknown or malformed hash, a hash whose parameters
 * exceed the caps, or a password over 4096 bytes.
 */
PG_FUNCTION_INFO_V1(auth_verify_password);
Datum
auth_verify_password(PG_FUNCTION_ARGS)
{
	text	   *hash = PG_GETARG_TEXT_PP(1);
	ParsedHash *h = secret_alloc(sizeof(ParsedHash));
	Password	pw;
	char	   *hashstr;
	bool		ok;

	parse_hash(hash, h);
	check_limits(h);
	pw = get_password(fcinfo, 0);
	hashstr = text_to_cstring(hash);
	ok = verify_parsed(&pw, h, hashstr, strlen(hashstr));
	OPENSSL_cleanse(pw.data, pw.len);
	PG_RETURN_BOOL(ok);
}

/* ---- hashing ---- */

typedef enum HashAlgorithm
{
	ALG_ARGON2ID,
	ALG_SCRYPT,
	ALG_PBKDF2,
	ALG_BCRYPT
} HashAlgorithm;

static char *
b64(const uint8 *data, size_t len, HfB64Alphabet alphabet)
{
	char	   *s = palloc(hf_b64_encoded_len(len) + 1);

	hf_b64_encode(data, len, alphabet, s);
	return s;
}

static void
random_salt(uint8 *salt, int len)
{
	if (RAND_bytes(salt, len) != 1)
		elog(ERROR, "RAND_bytes() failed");
}

static void
invalid_params(const char *alg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s parameters", alg),
			 errdetail("%s", detail)));
}

/*
 * A new hash in the format and with the parameters of h (Argon2id, scrypt
 * or passlib PBKDF2): limits, random salt, key derivation, encoding.
 */
static char *
new_kdf_hash(const Password *pw, ParsedHash *h, size_t keylen)
{
	uint8	   *dk = secret_alloc(keylen);
	HfB64Alphabet alphabet = HF_B64_STD;
	char	   *params;
	char	   *res;

	check_limits(h);
	random_salt(h->salt, SALT_BYTES);
	h->salt_len = SALT_BYTES;
	h->key_len = keylen;
	derive_key(pw, h, dk);
	switch (h->format)
	{
		case HF_ARGON2ID:
			params = psprintf("$argon2id$v=19$m=%u,t=%u,p=%u", (uint32) h->memory,
							  (uint32) h->iterations, h->parallelism);
			break;
		case HF_SCRYPT:
			params = psprintf("$scrypt$ln=%u,r=%u,p=%u", h->log2_n, h->block_size,
							  h->parallelism);
			break;
		case HF_PBKDF2_PASSLIB:
			/* passlib's format, readable by passlib.hash.pbkdf2_sha256 */
			params = psprintf("$pbkdf2-sha256$%u", (uint32) h->iterations);
			alphabet = HF_B64_PASSLIB;
			break;
		default:
			elog(ERROR, "cannot make %s hashes", hf_format_name(h->format));
	}
	res = psprintf("%s$%s$%s", params, b64(h->salt, h->salt_len, alphabet),
				   b64(dk, keylen, alphabet));
	OPENSSL_cleanse(dk, keylen);
	return res;
}

static char *
hash_bcrypt(const Password *pw, uint32 cost)
{
	uint8		rbytes[SALT_BYTES];
	char		setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (cost < 4 || cost > 31)
		invalid_params("bcrypt", "bcrypt cost must be between 4 and 31.");
	check_limit("bcrypt cost", cost, S_BCRYPT_MAX_COST,
				public_cap(PUBLIC_BCRYPT_MAX_COST, SETTING(S_BCRYPT_COST)));
	/* bcrypt would silently ignore bytes after the 72nd: refuse instead */
	if (pw->len > BCRYPT_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("password is too long for bcrypt"),
				 errdetail("bcrypt uses only the first %d bytes of a password; this one has %d.",
						   BCRYPT_MAX_BYTES, pw->len),
				 errhint("Use argon2id, which has no such limit.")));
	random_salt(rbytes, SALT_BYTES);
	if (crypt_gensalt_rn("$2b$", cost, (const char *) rbytes, SALT_BYTES,
						 setting, sizeof(setting)) == NULL)
		elog(ERROR, "crypt_gensalt_rn() failed");
	return pstrdup(crypt_into(pw->data, setting));
}

/* Parameters given in the params jsonb, -1 when absent. */
typedef struct HashParams
{
	int64		values[3];
} HashParams;

static const char *const alg_names[] = {"argon2id", "scrypt", "pbkdf2-sha256", "bcrypt"};
static const char *const alg_params[][3] = {
	{"m", "t", "p"},
	{"ln", "r", "p"},
	{"i", NULL, NULL},
	{"cost", NULL, NULL},
};
static const char *const alg_param_hint[] = {
	"argon2id takes {\"m\": KiB, \"t\": iterations, \"p\": lanes}.",
	"scrypt takes {\"ln\": log2(N), \"r\": block size, \"p\": parallelism}.",
	"pbkdf2-sha256 takes {\"i\": iterations}.",
	"bcrypt takes {\"cost\": log2(rounds)}.",
};

static HashParams
read_params(Jsonb *params, HashAlgorithm alg)
{
	HashParams	hp = {{-1, -1, -1}};
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (params == NULL)
		return hp;
	if (!JB_ROOT_IS_OBJECT(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hash parameters must be a JSON object"),
				 errhint("%s", alg_param_hint[alg])));
	it = JsonbIteratorInit(&params->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			int			slot = -1;
			char	   *num;
			char	   *end;
			long long	n;

			for (int i = 0; i < 3; i++)
				if (alg_params[alg][i] && strcmp(alg_params[alg][i], key) == 0)
					slot = i;
			if (slot < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown parameter \"%s\" for algorithm %s", key, alg_names[alg]),
						 errhint("%s", alg_param_hint[alg])));
			if (v.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"%s\" must be a whole number", key)));
			num = DatumGetCString(DirectFunctionCall1(numeric_out,
													  NumericGetDatum(v.val.numeric)));
			errno = 0;
			n = strtoll(num, &end, 10);
			if (errno != 0 || *end != '\0' || n < 0 || n > PG_UINT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"%s\" must be a whole number between 0 and %u",
								key, PG_UINT32_MAX)));
			hp.values[slot] = n;
		}
	}
	return hp;
}

#define PARAM_OR(hp, i, setting) \
	((uint32) ((hp).values[i] >= 0 ? (hp).values[i] : SETTING(setting)))

static char *
hash_with(const Password *pw, HashAlgorithm alg, Jsonb *params)
{
	HashParams	hp = read_params(params, alg);
	ParsedHash *h = palloc0(sizeof(ParsedHash));

	switch (alg)
	{
		case ALG_ARGON2ID:
			h->format = HF_ARGON2ID;
			h->version = ARGON2_VERSION_13;
			h->memory = PARAM_OR(hp, 0, S_ARGON2_M);
			h->iterations = PARAM_OR(hp, 1, S_ARGON2_T);
			h->parallelism = PARAM_OR(hp, 2, S_ARGON2_P);
			if (h->iterations < 1 || h->parallelism < 1 || h->memory < 8 * (uint64) h->parallelism)
				invalid_params("argon2id", "Argon2 needs t >= 1, p >= 1 and m >= 8*p KiB.");
			return new_kdf_hash(pw, h, ARGON2_TAG_BYTES);
		case ALG_SCRYPT:
			h->format = HF_SCRYPT;
			h->log2_n = PARAM_OR(hp, 0, S_SCRYPT_LN);
			h->block_size = PARAM_OR(hp, 1, S_SCRYPT_R);
			h->parallelism = PARAM_OR(hp, 2, S_SCRYPT_P);
			if (h->log2_n < 1 || h->log2_n > 63 || h->block_size < 1 || h->parallelism < 1 ||
				(uint64) h->block_size * h->parallelism >= (UINT64CONST(1) << 30))
				invalid_params("scrypt", "scrypt needs 1 <= ln <= 63, r >= 1, p >= 1 and r*p < 2^30.");
			return new_kdf_hash(pw, h, SCRYPT_KEY_BYTES);
		case ALG_PBKDF2:
			h->format = HF_PBKDF2_PASSLIB;
			h->iterations = PARAM_OR(hp, 0, S_PBKDF2_I);
			if (h->iterations < 1)
				invalid_params("pbkdf2-sha256", "PBKDF2 needs at least one iteration.");
			return new_kdf_hash(pw, h, PBKDF2_KEY_BYTES);
		case ALG_BCRYPT:
			return hash_bcrypt(pw, PARAM_OR(hp, 0, S_BCRYPT_COST));
	}
	elog(ERROR, "unexpected algorithm");
	return NULL;
}

/*
 * SQL function: auth.hash_password(password text) returns text
 *
 * Argon2id PHC string at the configured parameters.
 */
PG_FUNCTION_INFO_V1(auth_hash_password);
Datum
auth_hash_password(PG_FUNCTION_ARGS)
{
	Password	pw = get_password(fcinfo, 0);
	char	   *res = hash_with(&pw, ALG_ARGON2ID, NULL);

	OPENSSL_cleanse(pw.data, pw.len);
	PG_RETURN_TEXT_P(cstring_to_text(res));
}

/*
 * SQL function: auth.hash_password(password text, algorithm text,
 *                                  params jsonb DEFAULT NULL) returns text
 *
 * Not STRICT, so that a NULL params means "the configured defaults"; a NULL
 * password or algorithm still gives NULL.
 */
PG_FUNCTION_INFO_V1(auth_hash_password_with);
Datum
auth_hash_password_with(PG_FUNCTION_ARGS)
{
	char	   *algname;
	int			alg = -1;
	Password	pw;
	char	   *res;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	algname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (int i = 0; i < (int) lengthof(alg_names); i++)
		if (strcmp(alg_names[i], algname) == 0)
			alg = i;
	if (alg < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported password hash algorithm \"%s\"", algname),
				 errhint("Use argon2id, scrypt, pbkdf2-sha256 or bcrypt.")));
	pw = get_password(fcinfo, 0);
	res = hash_with(&pw, (HashAlgorithm) alg,
					PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2));
	OPENSSL_cleanse(pw.data, pw.len);
	PG_RETURN_TEXT_P(cstring_to_text(res));
}

/*
 * SQL function: auth.password_needs_rehash(hash text) returns boolean
 *
 * False only for Argon2id v1.3 at exactly the configured m, t and p, with a
 * salt of at least 16 bytes and a 32-byte tag.  Throws 22023 for a string
 * that is not a password hash at all.
 */
PG_FUNCTION_INFO_V1(auth_password_needs_rehash);
Datum
auth_password_needs_rehash(PG_FUNCTION_ARGS)
{
	ParsedHash *h = palloc(sizeof(ParsedHash));
	bool		current;

	parse_hash(PG_GETARG_TEXT_PP(0), h);
	current = h->format == HF_ARGON2ID &&
		h->version == ARGON2_VERSION_13 &&
		h->memory == (uint64) SETTING(S_ARGON2_M) &&
		h->iterations == (uint64) SETTING(S_ARGON2_T) &&
		h->parallelism == (uint64) SETTING(S_ARGON2_P) &&
		h->salt_len >= SALT_BYTES &&
		h->key_len == ARGON2_TAG_BYTES;
	PG_RETURN_BOOL(!current);
}
