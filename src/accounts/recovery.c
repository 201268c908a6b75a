/*-------------------------------------------------------------------------
 *
 * recovery.c
 *	  The C side of password reset and email verification (src/sql/
 *	  45_recovery.sql): their admin settings and the one-time tokens.
 *
 * The functions themselves are PL/pgSQL.  C does what SQL cannot do well:
 *
 *	- auth._recovery_policy() hands the accounts.reset_* / verify_*
 *	  settings to those functions (through the per-backend settings cache
 *	  of settings.c, as auth._accounts_policy() does for the lockout);
 *	- auth._recovery_token() makes a one-time token: 256 bits from
 *	  OpenSSL's RAND_bytes, base64url without padding (43 characters).
 *	  Only its SHA-256 is stored (auth.recovery_tokens); the token itself
 *	  goes to the outbox for the mailer.
 *
 * src/accounts/recovery.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "admin.h"
#include "auth_ext.h"
#include "tokens/tokens.h"

/* 256 random bits per token */
#define RECOVERY_TOKEN_BYTES 32

static AuthSetting recovery_settings[] = {
	{"accounts.reset_token_seconds", AUTH_SETTING_INT, "3600", 1, 604800,
	 "lifetime of a password reset token", NULL, 0},
	{"accounts.verify_token_seconds", AUTH_SETTING_INT, "86400", 1, 2592000,
	 "lifetime of an email verification token", NULL, 0},
	{"accounts.recovery_requests_per_hour", AUTH_SETTING_INT, "5", 1, 1000,
	 "reset or verification emails one address may be sent per hour", NULL, 0},
};

#define SETTING_RESET_SECONDS	(&recovery_settings[0])
#define SETTING_VERIFY_SECONDS	(&recovery_settings[1])
#define SETTING_PER_HOUR		(&recovery_settings[2])

void
auth_recovery_init(void)
{
	auth_register_settings(recovery_settings, lengthof(recovery_settings));
}

/*
 * SQL function: auth._recovery_policy(OUT reset_token_seconds int,
 *	 OUT verify_token_seconds int, OUT requests_per_hour int) returns record
 */
PG_FUNCTION_INFO_V1(auth_recovery_policy);
Datum
auth_recovery_policy(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	/* the owner's (and the recovery functions', which run as it) */
	auth_require_admin("read the recovery policy");
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "auth._recovery_policy must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	values[0] = Int32GetDatum((int32) auth_setting_int(SETTING_RESET_SECONDS));
	values[1] = Int32GetDatum((int32) auth_setting_int(SETTING_VERIFY_SECONDS));
	values[2] = Int32GetDatum((int32) auth_setting_int(SETTING_PER_HOUR));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * SQL function: auth._recovery_token() returns text
 *
 * A new one-time token: RECOVERY_TOKEN_BYTES from RAND_bytes, base64url.
 * Throws if OpenSSL has no randomness to give.
 */
PG_FUNCTION_INFO_V1(auth_recovery_token);
Datum
auth_recovery_token(PG_FUNCTION_ARGS)
{
	/* tokens that reset passwords: the account functions' owner only */
	auth_require_admin("make recovery tokens");
	PG_RETURN_TEXT_P(cstring_to_text(auth_random_b64url(RECOVERY_TOKEN_BYTES)));
}
