/*-------------------------------------------------------------------------
 *
 * sessions.c
 *	  The C side of sessions and refresh tokens (src/sql/42_sessions.sql):
 *	  their settings and the cryptography of refresh tokens.
 *
 * A refresh token is 32 bytes from OpenSSL's RAND_bytes() (auth_random_b64url), handed out as
 * 43 characters of unpadded base64url.  The database keeps only
 * SHA-256(raw bytes), so a reader of auth.refresh_tokens (or of a dump)
 * learns nothing it could present.
 *
 * Rotation and the grace window.  When token T is rotated to its
 * successor S, the row of T keeps S "sealed": S XOR HMAC-SHA256(key = T,
 * message = SEAL_LABEL).  Within accounts.refresh_reuse_interval_seconds a
 * second presentation of T (a concurrent refresh in another tab) unseals S
 * and gets the same successor back, so concurrent refreshes end on one
 * chain.  Only the holder of T can compute the pad; the stored hash
 * SHA-256(T) does not give it (HMAC with T as the key is a different
 * function of T), and each pad is used for exactly one S.
 *
 * The settings (accounts.*) are read through the settings cache
 * (settings.c) and handed to SQL by auth._sessions_policy(), like
 * auth._accounts_policy() does for the lockout policy (accounts.c).
 *
 * src/accounts/sessions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "admin.h"
#include "auth_ext.h"
#include "base64url.h"
#include "tokens/tokens.h"

static AuthSetting session_settings[] = {
	{"accounts.access_token_seconds", AUTH_SETTING_INT, "604800", 1, 31536000,
	 "lifetime of the access tokens minted by sign-up, sign-in and refresh", NULL, 0},
	{"accounts.session_idle_seconds", AUTH_SETTING_INT, "2592000", 0, 315360000,
	 "a session not refreshed for this long ends (0: never)", NULL, 0},
	{"accounts.session_max_seconds", AUTH_SETTING_INT, "0", 0, 315360000,
	 "a session ends this long after sign-in, refreshed or not (0: never)", NULL, 0},
	{"accounts.refresh_reuse_interval_seconds", AUTH_SETTING_INT, "10", 0, 3600,
	 "a rotated refresh token presented again this soon returns its successor instead of ending the session", NULL, 0},
};

#define REFRESH_BYTES	32
#define REFRESH_CHARS	B64URL_ENC_LEN(REFRESH_BYTES)	/* 43 */
#define SEAL_LABEL		"auth_ext refresh token successor v1"

void
auth_sessions_init(void)
{
	auth_register_settings(session_settings, lengthof(session_settings));
}

/*
 * SQL function: auth._sessions_policy(OUT access_token_seconds int,
 *	 OUT session_idle_seconds int, OUT session_max_seconds int,
 *	 OUT refresh_reuse_interval_seconds int) returns record
 */
PG_FUNCTION_INFO_V1(auth_sessions_policy);
Datum
auth_sessions_policy(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[lengthof(session_settings)];
	bool		nulls[lengthof(session_settings)] = {0};

	auth_require_admin("read the session policy");
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "auth._sessions_policy must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	for (size_t i = 0; i < lengthof(session_settings); i++)
		values[i] = Int32GetDatum((int32) auth_setting_int(&session_settings[i]));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* The raw bytes of a refresh token; false when it is not one. */
static bool
refresh_decode(text *token, unsigned char raw[REFRESH_BYTES])
{
	unsigned char buf[B64URL_DEC_LEN(REFRESH_CHARS)];

	if (VARSIZE_ANY_EXHDR(token) != REFRESH_CHARS)
		return false;
	if (b64url_decode(VARDATA_ANY(token), REFRESH_CHARS, buf) != REFRESH_BYTES)
		return false;
	memcpy(raw, buf, REFRESH_BYTES);
	OPENSSL_cleanse(buf, sizeof(buf));
	return true;
}

static text *
refresh_encode(const unsigned char raw[REFRESH_BYTES])
{
	char		out[REFRESH_CHARS];

	b64url_encode(raw, REFRESH_BYTES, out);
	return cstring_to_text_with_len(out, REFRESH_CHARS);
}

/*
 * SQL function: auth._refresh_token() returns text: a new refresh token
 * (auth_random_b64url, as recovery tokens are made).
 */
PG_FUNCTION_INFO_V1(auth_refresh_token);
Datum
auth_refresh_token(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(auth_random_b64url(REFRESH_BYTES)));
}

/*
 * SQL function: auth._refresh_hash(token text) returns bytea: SHA-256 of the
 * token's bytes, NULL when the text is not a refresh token.
 */
PG_FUNCTION_INFO_V1(auth_refresh_hash);
Datum
auth_refresh_hash(PG_FUNCTION_ARGS)
{
	unsigned char raw[REFRESH_BYTES];
	bytea	   *out;
	bool		ok;

	if (!refresh_decode(PG_GETARG_TEXT_PP(0), raw))
		PG_RETURN_NULL();
	out = palloc(VARHDRSZ + SHA256_DIGEST_LENGTH);
	SET_VARSIZE(out, VARHDRSZ + SHA256_DIGEST_LENGTH);
	ok = EVP_Digest(raw, REFRESH_BYTES, (unsigned char *) VARDATA(out), NULL, EVP_sha256(), NULL) == 1;
	OPENSSL_cleanse(raw, sizeof(raw));
	if (!ok)
		elog(ERROR, "EVP_Digest(SHA-256) failed");
	PG_RETURN_BYTEA_P(out);
}

/* pad := HMAC-SHA256(key = token, SEAL_LABEL); false when token is malformed. */
static bool
seal_pad(text *token, unsigned char pad[SHA256_DIGEST_LENGTH])
{
	unsigned char raw[REFRESH_BYTES];
	unsigned int padlen = 0;
	bool		ok;

	if (!refresh_decode(token, raw))
		return false;
	ok = HMAC(EVP_sha256(), raw, REFRESH_BYTES, (const unsigned char *) SEAL_LABEL,
			  strlen(SEAL_LABEL), pad, &padlen) != NULL && padlen == SHA256_DIGEST_LENGTH;
	OPENSSL_cleanse(raw, sizeof(raw));
	if (!ok)
		elog(ERROR, "HMAC(SHA-256) failed");
	return true;
}

/*
 * SQL function: auth._refresh_seal(token text, successor text) returns
 * bytea: successor's bytes XOR the pad of token.  NULL when either is not
 * a refresh token.
 */
PG_FUNCTION_INFO_V1(auth_refresh_seal);
Datum
auth_refresh_seal(PG_FUNCTION_ARGS)
{
	unsigned char pad[SHA256_DIGEST_LENGTH];
	unsigned char succ[REFRESH_BYTES];
	bytea	   *out;

	StaticAssertStmt(REFRESH_BYTES == SHA256_DIGEST_LENGTH, "one pad byte per token byte");
	if (!refresh_decode(PG_GETARG_TEXT_PP(1), succ))
		PG_RETURN_NULL();
	if (!seal_pad(PG_GETARG_TEXT_PP(0), pad))
	{
		OPENSSL_cleanse(succ, sizeof(succ));
		PG_RETURN_NULL();
	}
	out = palloc(VARHDRSZ + REFRESH_BYTES);
	SET_VARSIZE(out, VARHDRSZ + REFRESH_BYTES);
	for (int i = 0; i < REFRESH_BYTES; i++)
		((unsigned char *) VARDATA(out))[i] = succ[i] ^ pad[i];
	OPENSSL_cleanse(succ, sizeof(succ));
	OPENSSL_cleanse(pad, sizeof(pad));
	PG_RETURN_BYTEA_P(out);
}

/*
 * SQL function: auth._refresh_unseal(token text, sealed bytea) returns
 * text: the successor sealed by auth._refresh_seal(token, successor).  NULL
 * when token is not a refresh token or sealed has the wrong length.
 */
PG_FUNCTION_INFO_V1(auth_refresh_unseal);
Datum
auth_refresh_unseal(PG_FUNCTION_ARGS)
{
	bytea	   *sealed = PG_GETARG_BYTEA_PP(1);
	unsigned char pad[SHA256_DIGEST_LENGTH];
	unsigned char succ[REFRESH_BYTES];
	text	   *out;

	if (VARSIZE_ANY_EXHDR(sealed) != REFRESH_BYTES || !seal_pad(PG_GETARG_TEXT_PP(0), pad))
		PG_RETURN_NULL();
	for (int i = 0; i < REFRESH_BYTES; i++)
		succ[i] = ((const unsigned char *) VARDATA_ANY(sealed))[i] ^ pad[i];
	out = refresh_encode(succ);
	OPENSSL_cleanse(succ, sizeof(succ));
	OPENSSL_cleanse(pad, sizeof(pad));
	PG_RETURN_TEXT_P(out);
}
