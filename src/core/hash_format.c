/*-------------------------------------------------------------------------
 *
 * hash_format.c
 *	  Parsers of stored password-hash strings, and strict base64 codecs.
 *
 * Stored hashes come from outside (imports, migrations), so everything here
 * treats its input as hostile: lengths are checked before copying, numbers
 * are canonical decimals that fit in 32 bits, base64 must be canonical (no
 * stray padding, zero trailing bits), and every field must be where the
 * format puts it.  No allocation, no global state, no postgres.h: these
 * functions are fuzzed with libFuzzer on their own.
 *
 * The formats:
 *   $argon2{d,i,id}$[v=16|19$]m=M,t=T,p=P$<b64 salt>$<b64 tag>  (PHC)
 *   $scrypt$ln=L,r=R,p=P$<b64 salt>$<b64 key>                    (passlib)
 *   $pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 key>               (passlib)
 *   $pbkdf2-sha256$i=I[,l=L]$<b64 salt>$<b64 key>                (PHC)
 *   pbkdf2_sha256$<iterations>$<text salt>$<padded b64 key>      (Django)
 *   <hex salt, used as text>:<128 hex digits>                    (better-auth)
 *   $2a$ $2b$ $2y$ NN$<53 chars>, $5$, $6$, $y$                  (crypt(3))
 * b64 is the standard alphabet without padding, as PHC strings use it.
 *
 * src/core/hash_format.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "hash_format.h"

/* A view of part of the input. */
typedef struct Span
{
	const char *p;
	size_t		len;
} Span;

static bool
has_prefix(const char *s, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

/*
 * Splits s at every sep into at most maxfields spans.  Returns the number of
 * fields, or maxfields + 1 if there were more.
 */
static int
split(Span s, char sep, Span *fields, int maxfields)
{
	int			n = 0;
	size_t		start = 0;

	for (size_t i = 0; i <= s.len; i++)
	{
		if (i == s.len || s.p[i] == sep)
		{
			if (n == maxfields)
				return maxfields + 1;
			fields[n].p = s.p + start;
			fields[n].len = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/*
 * Canonical unsigned decimal: 1 to 10 digits, no sign, no leading zero
 * (except "0" itself), value at most UINT32_MAX.
 */
static bool
parse_u32(Span s, uint64_t *out)
{
	uint64_t	v = 0;

	if (s.len == 0 || s.len > 10)
		return false;
	if (s.len > 1 && s.p[0] == '0')
		return false;
	for (size_t i = 0; i < s.len; i++)
	{
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t) (s.p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

/* "name=value" with a canonical decimal value. */
static bool
parse_named_u32(Span s, const char *name, uint64_t *out)
{
	size_t		n = strlen(name);
	Span		v;

	if (s.len <= n + 1 || memcmp(s.p, name, n) != 0 || s.p[n] != '=')
		return false;
	v.p = s.p + n + 1;
	v.len = s.len - n - 1;
	return parse_u32(v, out);
}

/*
 * A PHC parameter list "a=1,b=2,c=3" with exactly the given names in order:
 * HF_ERR_MALFORMED when the names or the count differ, HF_ERR_NUMBER when
 * a value is not a canonical 32-bit decimal.
 */
static HashFormatError
parse_param_list(Span s, const char *const *names, int n, uint64_t *values)
{
	Span		params[4];

	if (n > 4 || split(s, ',', params, n) != n)
		return HF_ERR_MALFORMED;
	for (int i = 0; i < n; i++)
	{
		size_t		len = strlen(names[i]);

		if (params[i].len <= len || memcmp(params[i].p, names[i], len) != 0 ||
			params[i].p[len] != '=')
			return HF_ERR_MALFORMED;
	}
	for (int i = 0; i < n; i++)
		if (!parse_named_u32(params[i], names[i], &values[i]))
			return HF_ERR_NUMBER;
	return HF_OK;
}

/* ---- base64 ---- */

static const char b64_std[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_passlib[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";

static int
b64_value(char c, HfB64Alphabet alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '/')
		return 63;
	if (c == (alphabet == HF_B64_STD ? '+' : '.'))
		return 62;
	return -1;
}

bool
hf_b64_decode(const char *in, size_t len, HfB64Alphabet alphabet, bool padded,
			  uint8_t *out, size_t outmax, size_t *outlen)
{
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0;

	if (padded)
	{
		size_t		pad = 0;

		if (len % 4 != 0)
			return false;
		while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
			pad++;
		len -= pad;
		/* the padding must be exactly what the length calls for */
		if ((len % 4 == 0 && pad != 0) || (len % 4 == 2 && pad != 2) ||
			(len % 4 == 3 && pad != 1))
			return false;
	}
	if (len % 4 == 1)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		int			v = b64_value(in[i], alphabet);

		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (n >= outmax)
				return false;
			out[n++] = (uint8_t) (acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* leftover bits must be zero, or the encoding is not canonical */
	if (acc != 0)
		return false;
	*outlen = n;
	return true;
}

size_t
hf_b64_encoded_len(size_t len)
{
	return (len / 3) * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

void
hf_b64_encode(const uint8_t *in, size_t len, HfB64Alphabet alphabet, char *out)
{
	const char *tab = alphabet == HF_B64_STD ? b64_std : b64_passlib;
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6)
		{
			bits -= 6;
			out[n++] = tab[(acc >> bits) & 63];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[n++] = tab[(acc << (6 - bits)) & 63];
	out[n] = '\0';
}

/* Decodes a base64 field into dst with length bounds [minlen, maxlen]. */
static HashFormatError
decode_field(Span s, HfB64Alphabet alphabet, bool padded, uint8_t *dst,
			 size_t minlen, size_t maxlen, size_t *dstlen, HashFormatError lenerr)
{
	uint8_t		buf[HF_MAX_SALT + 3];
	size_t		n;

	/* anything longer than the largest allowed value is refused unread */
	if (s.len > hf_b64_encoded_len(maxlen) + (padded ? 3 : 0))
		return lenerr;
	if (!hf_b64_decode(s.p, s.len, alphabet, padded, buf, sizeof(buf), &n))
		return HF_ERR_BASE64;
	if (n < minlen || n > maxlen)
		return lenerr;
	memcpy(dst, buf, n);
	memset(buf, 0, sizeof(buf));
	*dstlen = n;
	return HF_OK;
}

static HashFormatError
decode_salt_key(Span salt, Span key, HfB64Alphabet alphabet, bool key_padded,
				size_t minsalt, ParsedHash *out)
{
	HashFormatError err;

	err = decode_field(salt, alphabet, false, out->salt, minsalt, HF_MAX_SALT,
					   &out->salt_len, HF_ERR_SALT_LENGTH);
	if (err != HF_OK)
		return err;
	return decode_field(key, alphabet, key_padded, out->key, HF_MIN_KEY,
						HF_MAX_KEY, &out->key_len, HF_ERR_KEY_LENGTH);
}

/* ---- the formats ---- */

/* $argon2X$[v=..$]m=..,t=..,p=..$salt$tag; s starts after "$argon2X$" */
static HashFormatError
parse_argon2(Span s, ParsedHash *out)
{
	Span		f[4];
	int			nf = split(s, '$', f, 4);
	int			i = 0;

	out->version = 0x10;		/* no v= field means version 1.0 */
	if (nf == 4)
	{
		uint64_t	v;

		if (!parse_named_u32(f[0], "v", &v))
			return HF_ERR_MALFORMED;
		if (v != 0x10 && v != 0x13)
			return HF_ERR_UNSUPPORTED;
		out->version = (uint32_t) v;
		i = 1;
	}
	else if (nf != 3)
		return HF_ERR_MALFORMED;

	{
		static const char *const names[] = {"m", "t", "p"};
		uint64_t	v[3];
		HashFormatError err = parse_param_list(f[i], names, 3, v);

		if (err != HF_OK)
			return err;
		/* libargon2's ranges: lanes 1..2^24-1, m >= 8 KiB per lane, t >= 1 */
		if (v[2] < 1 || v[2] > 0xFFFFFF || v[1] < 1 || v[0] < 8 * v[2])
			return HF_ERR_NUMBER;
		out->memory = v[0];
		out->iterations = v[1];
		out->parallelism = (uint32_t) v[2];
	}
	return decode_salt_key(f[i + 1], f[i + 2], HF_B64_STD, false,
						   HF_ARGON2_MIN_SALT, out);
}

/* ln=..,r=..,p=..$salt$key; s starts after "$scrypt$" */
static HashFormatError
parse_scrypt(Span s, ParsedHash *out)
{
	static const char *const names[] = {"ln", "r", "p"};
	Span		f[3];
	uint64_t	v[3];
	uint64_t	ln,
				r,
				p;
	HashFormatError err;

	if (split(s, '$', f, 3) != 3)
		return HF_ERR_MALFORMED;
	if ((err = parse_param_list(f[0], names, 3, v)) != HF_OK)
		return err;
	ln = v[0];
	r = v[1];
	p = v[2];
	/* RFC 7914: N = 2^ln > 1, r >= 1, p >= 1, p * r < 2^30 */
	if (ln < 1 || ln > 63 || r < 1 || p < 1 || r * p >= (UINT64_C(1) << 30))
		return HF_ERR_NUMBER;
	out->log2_n = (uint32_t) ln;
	out->block_size = (uint32_t) r;
	out->parallelism = (uint32_t) p;
	return decode_salt_key(f[1], f[2], HF_B64_STD, false, 0, out);
}

/* passlib or PHC; s starts after "$pbkdf2-sha256$" */
static HashFormatError
parse_pbkdf2(Span s, ParsedHash *out)
{
	Span		f[3];
	HashFormatError err;

	if (split(s, '$', f, 3) != 3)
		return HF_ERR_MALFORMED;
	if (f[0].len > 0 && f[0].p[0] == 'i')
	{
		Span		params[2];
		int			np = split(f[0], ',', params, 2);
		uint64_t	l = 0;

		out->format = HF_PBKDF2_PHC;
		if (np > 2 || !parse_named_u32(params[0], "i", &out->iterations) ||
			(np == 2 && !parse_named_u32(params[1], "l", &l)))
			return HF_ERR_MALFORMED;
		err = decode_salt_key(f[1], f[2], HF_B64_STD, false, 0, out);
		if (err == HF_OK && np == 2 && l != out->key_len)
			err = HF_ERR_KEY_LENGTH;
	}
	else
	{
		out->format = HF_PBKDF2_PASSLIB;
		if (!parse_u32(f[0], &out->iterations))
			return HF_ERR_MALFORMED;
		err = decode_salt_key(f[1], f[2], HF_B64_PASSLIB, false, 0, out);
	}
	if (err == HF_OK && out->iterations < 1)
		err = HF_ERR_NUMBER;
	return err;
}

/* iterations$salt$key; s starts after "pbkdf2_sha256$" */
static HashFormatError
parse_django(Span s, ParsedHash *out)
{
	Span		f[3];

	if (split(s, '$', f, 3) != 3 || !parse_u32(f[0], &out->iterations))
		return HF_ERR_MALFORMED;
	if (out->iterations < 1)
		return HF_ERR_NUMBER;
	/* Django uses the salt as text; it is printable ASCII without '$' */
	if (f[1].len < 1 || f[1].len > HF_MAX_SALT)
		return HF_ERR_SALT_LENGTH;
	for (size_t i = 0; i < f[1].len; i++)
		if (f[1].p[i] <= ' ' || f[1].p[i] > '~')
			return HF_ERR_MALFORMED;
	memcpy(out->salt, f[1].p, f[1].len);
	out->salt_len = f[1].len;
	return decode_field(f[2], HF_B64_STD, true, out->key, HF_MIN_KEY,
						HF_MAX_KEY, &out->key_len, HF_ERR_KEY_LENGTH);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
all_hex(Span s)
{
	for (size_t i = 0; i < s.len; i++)
		if (hex_value(s.p[i]) < 0)
			return false;
	return true;
}

/* salthex:keyhex */
static HashFormatError
parse_better_auth(Span salt, Span key, ParsedHash *out)
{
	if (salt.len < 1 || salt.len > HF_MAX_SALT)
		return HF_ERR_SALT_LENGTH;
	if (key.len != 2 * HF_BETTER_AUTH_KEYLEN)
		return HF_ERR_KEY_LENGTH;
	/* better-auth hashes the salt's hex text itself: keep the characters */
	memcpy(out->salt, salt.p, salt.len);
	out->salt_len = salt.len;
	for (size_t i = 0; i < HF_BETTER_AUTH_KEYLEN; i++)
		out->key[i] = (uint8_t) (hex_value(key.p[2 * i]) << 4 |
								 hex_value(key.p[2 * i + 1]));
	out->key_len = HF_BETTER_AUTH_KEYLEN;
	out->log2_n = HF_BETTER_AUTH_LOG2_N;
	out->block_size = HF_BETTER_AUTH_R;
	out->parallelism = HF_BETTER_AUTH_P;
	return HF_OK;
}

/* crypt(3)'s alphabet: ./0-9A-Za-z */
static bool
is_crypt64(char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') ||
		(c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
crypt64_value(char c)
{
	if (c == '.')
		return 0;
	if (c == '/')
		return 1;
	if (c >= '0' && c <= '9')
		return c - '0' + 2;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 12;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 38;
	return -1;
}

static bool
all_crypt64(Span s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!is_crypt64(s.p[i]))
			return false;
	return true;
}

/* $2a$NN$<22 salt chars><31 hash chars>: exactly 60 characters */
static HashFormatError
parse_bcrypt(const char *s, size_t len, ParsedHash *out)
{
	Span		body;

	if (s[2] == 'x')
		return HF_ERR_UNSUPPORTED;	/* bug-compatible $2x$: refused */
	if (s[2] != 'a' && s[2] != 'b' && s[2] != 'y')
		return HF_ERR_UNSUPPORTED;
	if (len != 60 || s[3] != '$' || s[6] != '$' ||
		s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9')
		return HF_ERR_MALFORMED;
	out->iterations = (uint64_t) ((s[4] - '0') * 10 + (s[5] - '0'));
	if (out->iterations < 4 || out->iterations > 31)
		return HF_ERR_NUMBER;
	body.p = s + 7;
	body.len = 53;
	return all_crypt64(body) ? HF_OK : HF_ERR_BASE64;
}

/* $5$ / $6$: [rounds=N$]salt$hash; s starts after the prefix */
static HashFormatError
parse_sha_crypt(Span s, size_t hashlen, ParsedHash *out)
{
	Span		f[3];
	int			nf = split(s, '$', f, 3);
	int			i = 0;

	out->iterations = 5000;		/* sha-crypt's default */
	if (nf == 3)
	{
		if (!parse_named_u32(f[0], "rounds", &out->iterations))
			return HF_ERR_MALFORMED;
		if (out->iterations < 1)
			return HF_ERR_NUMBER;
		i = 1;
	}
	else if (nf != 2)
		return HF_ERR_MALFORMED;
	if (f[i].len > 16)
		return HF_ERR_SALT_LENGTH;
	if (f[i + 1].len != hashlen)
		return HF_ERR_KEY_LENGTH;
	if (!all_crypt64(f[i]) || !all_crypt64(f[i + 1]))
		return HF_ERR_BASE64;
	return HF_OK;
}

/*
 * yescrypt's variable-length little-endian integer in crypt64, as libxcrypt
 * reads it: the first character says how many more follow.
 */
static bool
yescrypt_uint(Span *s, uint32_t min, uint32_t *out)
{
	uint32_t	start = 0,
				end = 47,
				chars = 1,
				bits = 0;
	uint64_t	v = min;
	int			c;

	if (s->len == 0 || (c = crypt64_value(s->p[0])) < 0)
		return false;
	s->p++;
	s->len--;
	while ((uint32_t) c > end)
	{
		v += (uint64_t) (end + 1 - start) << bits;
		start = end + 1;
		end = start + (62 - end) / 2;
		chars++;
		bits += 6;
	}
	v += (uint64_t) ((uint32_t) c - start) << bits;
	while (--chars)
	{
		if (s->len == 0 || (c = crypt64_value(s->p[0])) < 0)
			return false;
		s->p++;
		s->len--;
		v += (uint64_t) c << bits;
		bits += 6;
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t) v;
	return true;
}

/* $y$params$salt$hash; s starts after "$y$" */
static HashFormatError
parse_yescrypt(Span s, ParsedHash *out)
{
	Span		f[3];
	Span		p;
	uint32_t	flavor,
				log2_n,
				r,
				have,
				v;

	if (split(s, '$', f, 3) != 3)
		return HF_ERR_MALFORMED;
	p = f[0];
	if (!yescrypt_uint(&p, 0, &flavor) || !yescrypt_uint(&p, 1, &log2_n) ||
		!yescrypt_uint(&p, 1, &r))
		return HF_ERR_MALFORMED;
	if (log2_n < 1 || log2_n > 63 || r < 1)
		return HF_ERR_NUMBER;
	out->log2_n = log2_n;
	out->block_size = r;
	out->parallelism = 1;
	out->iterations = 0;
	if (p.len > 0)
	{
		if (!yescrypt_uint(&p, 1, &have))
			return HF_ERR_MALFORMED;
		/* ROM (have & 8) and unknown fields are not for stored passwords */
		if (have & ~UINT32_C(7))
			return HF_ERR_UNSUPPORTED;
		if (have & 1)
		{
			if (!yescrypt_uint(&p, 2, &v))
				return HF_ERR_MALFORMED;
			out->parallelism = v;
		}
		if (have & 2)
		{
			if (!yescrypt_uint(&p, 1, &v))
				return HF_ERR_MALFORMED;
			out->iterations = v;
		}
		if (have & 4)
		{
			/* g > 0 means an upgraded hash; refuse rather than guess */
			return HF_ERR_UNSUPPORTED;
		}
		if (p.len > 0)
			return HF_ERR_MALFORMED;
	}
	(void) flavor;
	if (f[1].len < 1 || f[1].len > 86)
		return HF_ERR_SALT_LENGTH;
	if (f[2].len != 43)
		return HF_ERR_KEY_LENGTH;
	if (!all_crypt64(f[1]) || !all_crypt64(f[2]))
		return HF_ERR_BASE64;
	return HF_OK;
}

HashFormatError
hf_parse(const char *hash, size_t len, ParsedHash *out)
{
	Span		rest;
	Span		colon[2];

	memset(out, 0, sizeof(*out));
	/* every supported format fits easily; do not even scan a longer one */
	if (len > HF_MAX_HASH_LEN)
		return HF_ERR_TOO_LONG;

#define AFTER(lit) (rest.p = hash + strlen(lit), rest.len = len - strlen(lit), rest)

	if (has_prefix(hash, len, "$argon2id$"))
	{
		out->format = HF_ARGON2ID;
		return parse_argon2(AFTER("$argon2id$"), out);
	}
	if (has_prefix(hash, len, "$argon2i$"))
	{
		out->format = HF_ARGON2I;
		return parse_argon2(AFTER("$argon2i$"), out);
	}
	if (has_prefix(hash, len, "$argon2d$"))
	{
		out->format = HF_ARGON2D;
		return parse_argon2(AFTER("$argon2d$"), out);
	}
	if (has_prefix(hash, len, "$scrypt$"))
	{
		out->format = HF_SCRYPT;
		return parse_scrypt(AFTER("$scrypt$"), out);
	}
	if (has_prefix(hash, len, "$pbkdf2-sha256$"))
	{
		out->format = HF_PBKDF2_PASSLIB;
		return parse_pbkdf2(AFTER("$pbkdf2-sha256$"), out);
	}
	if (has_prefix(hash, len, "pbkdf2_sha256$"))
	{
		out->format = HF_PBKDF2_DJANGO;
		return parse_django(AFTER("pbkdf2_sha256$"), out);
	}
	if (has_prefix(hash, len, "$2") && len >= 4)
	{
		out->format = HF_BCRYPT;
		if (hash[3] != '$')
			return HF_ERR_UNSUPPORTED;	/* "$2$" and unknown minors */
		return parse_bcrypt(hash, len, out);
	}
	if (has_prefix(hash, len, "$5$"))
	{
		out->format = HF_SHA256_CRYPT;
		return parse_sha_crypt(AFTER("$5$"), 43, out);
	}
	if (has_prefix(hash, len, "$6$"))
	{
		out->format = HF_SHA512_CRYPT;
		return parse_sha_crypt(AFTER("$6$"), 86, out);
	}
	if (has_prefix(hash, len, "$y$"))
	{
		out->format = HF_YESCRYPT;
		return parse_yescrypt(AFTER("$y$"), out);
	}
#undef AFTER

	/* better-auth: exactly one ':' with hex on both sides */
	rest.p = hash;
	rest.len = len;
	if (len > 0 && hash[0] != '$' &&
		split(rest, ':', colon, 2) == 2 && all_hex(colon[0]) && all_hex(colon[1]))
	{
		out->format = HF_BETTER_AUTH;
		return parse_better_auth(colon[0], colon[1], out);
	}
	return HF_ERR_UNKNOWN;
}

const char *
hf_error_message(HashFormatError err)
{
	switch (err)
	{
		case HF_OK:
			return "No error.";
		case HF_ERR_UNKNOWN:
			return "The string is not in any supported password hash format.";
		case HF_ERR_UNSUPPORTED:
			return "This variant of the format is not supported.";
		case HF_ERR_MALFORMED:
			return "A field is missing, extra or misplaced.";
		case HF_ERR_NUMBER:
			return "A parameter is not a valid number for this algorithm.";
		case HF_ERR_BASE64:
			return "The salt or hash is not valid base64 for this format.";
		case HF_ERR_SALT_LENGTH:
			return "The salt is too short or too long.";
		case HF_ERR_KEY_LENGTH:
			return "The hash is too short or too long.";
		case HF_ERR_TOO_LONG:
			return "The string is longer than any supported password hash.";
	}
	return "Unknown error.";
}

const char *
hf_format_name(HashFormat format)
{
	switch (format)
	{
		case HF_UNKNOWN:
			return "unknown";
		case HF_ARGON2D:
			return "argon2d";
		case HF_ARGON2I:
			return "argon2i";
		case HF_ARGON2ID:
			return "argon2id";
		case HF_BCRYPT:
			return "bcrypt";
		case HF_SHA256_CRYPT:
			return "sha256-crypt";
		case HF_SHA512_CRYPT:
			return "sha512-crypt";
		case HF_YESCRYPT:
			return "yescrypt";
		case HF_SCRYPT:
			return "scrypt";
		case HF_PBKDF2_PASSLIB:
			return "pbkdf2-sha256 (passlib)";
		case HF_PBKDF2_PHC:
			return "pbkdf2-sha256 (PHC)";
		case HF_PBKDF2_DJANGO:
			return "pbkdf2-sha256 (Django)";
		case HF_BETTER_AUTH:
			return "scrypt (better-auth)";
	}
	return "unknown";
}
