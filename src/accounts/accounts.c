/*-------------------------------------------------------------------------
 *
 * accounts.c
 *	  Entry point of the accounts area: its admin settings (lockout policy,
 *	  role of the tokens it mints) and the C helpers of auth.signin().
 *
 * Sign-up, sign-in and sign-out themselves are PL/pgSQL (src/sql/
 * 40_accounts.sql): they are a handful of statements around the password
 * and token functions.  C is used where SQL cannot do the job well:
 *
 *	- auth._accounts_policy() hands the accounts.* settings to those
 *	  functions (settings are read through the per-backend cache of
 *	  settings.c, not through SQL);
 *	- auth._dummy_hash() keeps, per backend, the hash of a random password
 *	  at the current hashing parameters.  A sign-in for an unknown email
 *	  verifies against it, so it costs one full Argon2id verification, the
 *	  same as a wrong password.  It is made once and made again only when
 *	  auth.password_needs_rehash() says the parameters changed.
 *
 * The revocation check called by jwt_verify lives in revocation.c; the
 * settings and refresh-token helpers of sessions in sessions.c.
 *
 * src/accounts/accounts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "admin.h"
#include "auth_ext.h"

static bool check_role_name(const char *value, char **detail);

static AuthSetting account_settings[] = {
	{"accounts.max_failures", AUTH_SETTING_INT, "5", 1, 1000,
	 "consecutive failed sign-ins after which an account is locked", NULL, 0},
	{"accounts.lockout_base_seconds", AUTH_SETTING_INT, "1", 1, 86400,
	 "first lockout, doubled at each further failure", NULL, 0},
	{"accounts.lockout_max_seconds", AUTH_SETTING_INT, "900", 1, 604800,
	 "longest lockout", NULL, 0},
	{"accounts.token_role", AUTH_SETTING_STRING, "authenticated", 0, 0,
	 "role claim of the tokens minted by sign-up and sign-in", check_role_name, 0},
};

#define SETTING_MAX_FAILURES	(&account_settings[0])
#define SETTING_LOCK_BASE		(&account_settings[1])
#define SETTING_LOCK_MAX		(&account_settings[2])
#define SETTING_TOKEN_ROLE		(&account_settings[3])

/* Bytes of randomness in the dummy password (hex-encoded before hashing). */
#define DUMMY_PASSWORD_BYTES 32

/* The dummy hash, in TopMemoryContext; NULL until first needed. */
static char *dummy_hash = NULL;

void
auth_accounts_init(void)
{
	auth_register_settings(account_settings, lengthof(account_settings));
	auth_sessions_init();
}

/* A role name: not empty, fits in NAMEDATALEN. */
static bool
check_role_name(const char *value, char **detail)
{
	size_t		len = strlen(value);

	if (len == 0 || len >= NAMEDATALEN)
	{
		*detail = psprintf("A role name has 1 to %d bytes.", NAMEDATALEN - 1);
		return false;
	}
	return true;
}

/*
 * SQL function: auth._accounts_policy(OUT max_failures int,
 *	 OUT lockout_base_seconds int, OUT lockout_max_seconds int,
 *	 OUT token_role text) returns record
 */
PG_FUNCTION_INFO_V1(auth_accounts_policy);
Datum
auth_accounts_policy(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	/* the lockout policy: the owner's (and sign-in's, which runs as it) */
	auth_require_admin("read the lockout policy");
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "auth._accounts_policy must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	values[0] = Int32GetDatum((int32) auth_setting_int(SETTING_MAX_FAILURES));
	values[1] = Int32GetDatum((int32) auth_setting_int(SETTING_LOCK_BASE));
	values[2] = Int32GetDatum((int32) auth_setting_int(SETTING_LOCK_MAX));
	values[3] = CStringGetTextDatum(auth_setting_string(SETTING_TOKEN_ROLE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* Oid of auth.<name>(text); errors if the function is missing. */
static Oid
auth_text_function(const char *name)
{
	Oid			argtypes[1] = {TEXTOID};

	return LookupFuncName(list_make2(makeString(AUTH_SCHEMA), makeString(pstrdup(name))),
						  1, argtypes, false);
}

/*
 * Makes a new dummy hash: auth.hash_password() of a random password nobody
 * knows, so it is made at exactly the parameters a real sign-up would use.
 */
static char *
make_dummy_hash(void)
{
	unsigned char raw[DUMMY_PASSWORD_BYTES];
	char		hex[DUMMY_PASSWORD_BYTES * 2 + 1];
	text	   *password;
	Datum		hash;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		elog(ERROR, "RAND_bytes() failed");
	for (int i = 0; i < DUMMY_PASSWORD_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	password = cstring_to_text(hex);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(hex, sizeof(hex));

	hash = OidFunctionCall1(auth_text_function("hash_password"), PointerGetDatum(password));
	OPENSSL_cleanse(VARDATA(password), VARSIZE(password) - VARHDRSZ);
	return MemoryContextStrdup(TopMemoryContext, TextDatumGetCString(hash));
}

/*
 * SQL function: auth._dummy_hash() returns text
 *
 * The cached dummy hash, remade when the hashing parameters changed.
 */
PG_FUNCTION_INFO_V1(auth_dummy_hash);
Datum
auth_dummy_hash(PG_FUNCTION_ARGS)
{
	if (dummy_hash != NULL)
	{
		Datum		stale = OidFunctionCall1(auth_text_function("password_needs_rehash"),
											 CStringGetTextDatum(dummy_hash));

		if (DatumGetBool(stale))
		{
			pfree(dummy_hash);
			dummy_hash = NULL;
		}
	}
	if (dummy_hash == NULL)
		dummy_hash = make_dummy_hash();
	PG_RETURN_TEXT_P(cstring_to_text(dummy_hash));
}
