/*-------------------------------------------------------------------------
 *
 * hash_format.h
 *	  Parsers of stored password-hash strings (PHC Argon2 and scrypt,
 *	  passlib/PHC/Django PBKDF2, better-auth's scrypt, bcrypt and the
 *	  crypt(3) formats) and the small base64 codecs they need.
 *
 * Pure C without postgres.h, so the robustness area can fuzz these parsers
 * on their own with libFuzzer.  A parser checks structure only (fields,
 * alphabets, lengths, and the minimums of the underlying algorithm); the
 * caller applies the configurable cost caps before doing any work.
 *
 * src/core/hash_format.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef HASH_FORMAT_H
#define HASH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every format we recognise, one value per distinct encoding. */
typedef enum HashFormat
{
	HF_UNKNOWN = 0,
	HF_ARGON2D,					/* $argon2d$[v=..$]m=..,t=..,p=..$salt$tag */
	HF_ARGON2I,
	HF_ARGON2ID,
	HF_BCRYPT,					/* $2a$ $2b$ $2y$ (crypt_rn) */
	HF_SHA256_CRYPT,			/* $5$[rounds=N$]salt$hash (crypt_rn) */
	HF_SHA512_CRYPT,			/* $6$[rounds=N$]salt$hash (crypt_rn) */
	HF_YESCRYPT,				/* $y$params$salt$hash (crypt_rn) */
	HF_SCRYPT,					/* $scrypt$ln=..,r=..,p=..$salt$key (passlib PHC) */
	HF_PBKDF2_PASSLIB,			/* $pbkdf2-sha256$rounds$ab64salt$ab64key */
	HF_PBKDF2_PHC,				/* $pbkdf2-sha256$i=..[,l=..]$salt$key */
	HF_PBKDF2_DJANGO,			/* pbkdf2_sha256$iter$salt$base64key */
	HF_BETTER_AUTH				/* salthex:keyhex, scrypt N=16384 r=16 p=1 */
} HashFormat;

typedef enum HashFormatError
{
	HF_OK = 0,
	HF_ERR_UNKNOWN,				/* no known prefix */
	HF_ERR_UNSUPPORTED,			/* known family, variant we refuse ($2x$, ...) */
	HF_ERR_MALFORMED,			/* missing/extra fields, bad separators */
	HF_ERR_NUMBER,				/* parameter not a canonical decimal, or out
								 * of the algorithm's range */
	HF_ERR_BASE64,				/* invalid, truncated or non-canonical base64 */
	HF_ERR_SALT_LENGTH,			/* salt too short or too long */
	HF_ERR_KEY_LENGTH,			/* hash/tag too short or too long */
	HF_ERR_TOO_LONG				/* the whole string is over HF_MAX_HASH_LEN */
} HashFormatError;

#define HF_MAX_HASH_LEN	1024	/* longest hash string looked at */
#define HF_MAX_SALT		128		/* bytes (or characters, for text salts) */
#define HF_MIN_KEY		16		/* derived key / tag, bytes */
#define HF_MAX_KEY		64
#define HF_ARGON2_MIN_SALT 8	/* libargon2's ARGON2_MIN_SALT_LENGTH */

/* better-auth's fixed scrypt parameters */
#define HF_BETTER_AUTH_LOG2_N	14
#define HF_BETTER_AUTH_R		16
#define HF_BETTER_AUTH_P		1
#define HF_BETTER_AUTH_KEYLEN	64

/*
 * A parsed hash.  Which cost fields are meaningful depends on the format:
 *   Argon2:      version, memory (m, KiB), iterations (t), parallelism (p)
 *   scrypt:      log2_n, block_size (r), parallelism (p)
 *   better-auth: the same, fixed by the format
 *   yescrypt:    log2_n, block_size (r), parallelism (p), iterations (t)
 *   PBKDF2:      iterations
 *   bcrypt:      iterations holds the cost (log2 of the rounds)
 *   sha-crypt:   iterations holds the rounds (5000 when absent)
 * salt/key hold the decoded bytes, except: Django and better-auth salts are
 * used as text by their formats, so salt holds those characters; the
 * crypt(3) formats are checked for shape only and handed to crypt_rn whole
 * (salt and key are left empty).
 */
typedef struct ParsedHash
{
	HashFormat	format;
	uint32_t	version;
	uint64_t	memory;
	uint64_t	iterations;
	uint32_t	log2_n;
	uint32_t	block_size;
	uint32_t	parallelism;
	size_t		salt_len;
	size_t		key_len;
	uint8_t		salt[HF_MAX_SALT];
	uint8_t		key[HF_MAX_KEY];
} ParsedHash;

/*
 * Parses hash (len bytes, need not be NUL-terminated).  Returns HF_OK and
 * fills *out, or an error code (out->format then tells which family was
 * recognised, HF_UNKNOWN if none).
 */
extern HashFormatError hf_parse(const char *hash, size_t len, ParsedHash *out);

/* Short English description of an error code, for error details. */
extern const char *hf_error_message(HashFormatError err);

/* Name of a format, e.g. "argon2id", "bcrypt", "pbkdf2-sha256 (Django)". */
extern const char *hf_format_name(HashFormat format);

/* ---- base64 codecs ---- */
typedef enum HfB64Alphabet
{
	HF_B64_STD,					/* A-Z a-z 0-9 + / */
	HF_B64_PASSLIB				/* A-Z a-z 0-9 . / (passlib's "ab64") */
} HfB64Alphabet;

/*
 * Strict decode: padded requires '=' padding to a multiple of 4, unpadded
 * forbids it; unused trailing bits must be zero.  Returns false on any
 * error or if the result would exceed outmax.
 */
extern bool hf_b64_decode(const char *in, size_t len, HfB64Alphabet alphabet,
						  bool padded, uint8_t *out, size_t outmax,
						  size_t *outlen);

/* Encodes without padding; out must hold hf_b64_encoded_len(len) + 1. */
extern size_t hf_b64_encoded_len(size_t len);
extern void hf_b64_encode(const uint8_t *in, size_t len, HfB64Alphabet alphabet,
						  char *out);

#endif							/* HASH_FORMAT_H */
