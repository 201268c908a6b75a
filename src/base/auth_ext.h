/*-------------------------------------------------------------------------
 *
 * auth_ext.h
 *	  Declarations shared between the files of the auth_ext module.
 *
 * Each area of the extension (passwords, tokens, identity, accounts) lives
 * in its own directory under src/ and exposes an init function that
 * _PG_init() calls.  A file calls only files of its own area and of the
 * areas below it (core < base < passwords < tokens < identity < accounts),
 * and no two files call each other (test/sh/70_layout.sh; see
 * docs/00_design_notes.md, "Build and layout").
 *
 * Admin settings are not GUCs: they live in the table auth.config, are
 * changed through auth.configure(), and are read here through a
 * per-backend cache that is invalidated when the table changes (see
 * settings.c).  This keeps every security setting out of reach of SET and
 * set_config() while letting a non-superuser database owner configure them.
 *
 * src/base/auth_ext.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_EXT_H
#define AUTH_EXT_H

#include "fmgr.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

/* Name of the schema all our objects live in (non-relocatable). */
#define AUTH_SCHEMA "auth"

/*
 * SQLSTATE PT401: PostgREST answers it with HTTP 401.  Every token failure
 * raises it, with a short message and the reason in errdetail.
 */
#define ERRCODE_AUTH_INVALID_TOKEN MAKE_SQLSTATE('P','T','4','0','1')

/* ---- area entry points, called once from _PG_init() ---- */
extern void auth_settings_init(void);
extern void auth_password_init(void);
extern void auth_tokens_init(void);
extern void auth_issuers_init(void);	/* identity/issuers.c */
extern void auth_identity_init(void);
extern void auth_identity_request_init(void);	/* identity/identity_request.c */
extern void auth_accounts_init(void);
extern void auth_sessions_init(void);	/* sessions.c, from auth_accounts_init() */
extern void auth_recovery_init(void);

/* ---- the contract between areas ---- */

/*
 * identity (verify.c): verifies a compact JWS against the keyring (or the
 * keys of the trusted issuer its "iss" names), checks the time claims, iss
 * and aud, then calls auth_revocation_check() and auth_identity_set();
 * returns the claims.  Raises PT401 on any failure.  This is the C body of
 * auth.jwt_verify() and auth.jwt_session_init(), and what
 * auth.pre_request() calls.
 */
extern Jsonb *auth_jwt_verify_token(const char *token, int len);

/*
 * identity (identity.c): makes the verified claims the identity of the
 * current transaction (gone at COMMIT/ROLLBACK), or clears it when claims is
 * NULL.
 */
extern void auth_identity_set(Jsonb *claims);

/*
 * The same with the claims' text form already at hand: JsonbToCString()
 * of claims, or the text claims was parsed from (the token's payload, as
 * the verified-token cache keeps it).
 */
extern void auth_identity_set_text(Jsonb *claims, const char *text);

/*
 * The same for a token of a trusted issuer (issuers.c): auth.user_id() and
 * auth.role() are the given strings (length -1: NULL), auth.uid() is
 * local_user (the local user the subject is linked to, linking.c) or NULL,
 * auth.jwt() is claims.
 */
extern void auth_identity_set_mapped(Jsonb *claims, const char *text,
									 const char *user_id, int user_id_len,
									 const char *role, int role_len,
									 const pg_uuid_t *local_user);

/*
 * accounts (revocation.c): raises PT401 when the token's jti was revoked
 * (sign-out), its sid names an ended session, or its sub revoked every
 * token issued before its iat (sign-out everywhere).  One index probe.
 */
extern void auth_revocation_check(Jsonb *claims);

/*
 * The same for a caller that remembers, per token, the revocation
 * generation under which these claims were last found not revoked
 * (*checked_gen, 0 = never): skips the probe while no change to
 * auth.revocations was seen since, and sets *checked_gen after a probe.
 */
extern void auth_revocation_check_remembered(Jsonb *claims, uint64 *checked_gen);

/* ---- admin settings (settings.c) ---- */
typedef enum AuthSettingType
{
	AUTH_SETTING_INT,
	AUTH_SETTING_STRING
} AuthSettingType;

/*
 * One admin setting.  Areas declare a static array of these and register it
 * from their init function; "slot" is filled in by registration.  For
 * strings, "check" may reject a value (returning false and setting *detail
 * to a palloc'd sentence).
 */
typedef struct AuthSetting
{
	const char *name;			/* e.g. "jwt.leeway_seconds" */
	AuthSettingType type;
	const char *default_value;
	int64		min;			/* bounds for AUTH_SETTING_INT */
	int64		max;
	const char *description;
	bool		(*check) (const char *value, char **detail);
	int			slot;			/* set by auth_register_settings() */
} AuthSetting;

extern void auth_register_settings(AuthSetting *defs, int n);
extern int64 auth_setting_int(const AuthSetting *def);
/* Returned string lives in TopMemoryContext until the next invalidation. */
extern const char *auth_setting_string(const AuthSetting *def);

/* ---- reading our own tables from C (table_read.c) ---- */

/*
 * Calls fn once per visible row of auth.<relname>, reading with a fresh MVCC
 * snapshot (like the catalog caches do), without permission checks: this is
 * how C code reads tables that application roles may not SELECT from.
 * Returns false, without calling fn, when the table does not exist (yet).
 */
typedef void (*AuthRowFn) (HeapTuple tuple, TupleDesc desc, void *arg);
extern bool auth_table_scan(const char *relname, AuthRowFn fn, void *arg);
extern void auth_table_columns(TupleDesc desc, const char *relname,
							   const char *const *names, int n, int *att);
extern void auth_table_load(const char *relname, const char *name, AuthRowFn fn,
							void *arg, MemoryContext *cxt_slot);
extern bool auth_parse_or_skip(void (*fn) (void *), void *arg, MemoryContext cxt,
							   const char *what);

/*
 * False in parallel mode, where auth_table_scan() reads with the query's
 * snapshot (a fresh one is forbidden there): use what was read, keep nothing.
 */
extern bool auth_table_scan_cacheable(void);

/* Oid of auth.<relname>, or InvalidOid if it does not exist. */
extern Oid	auth_table_oid(const char *relname);

/*
 * Per-backend caches of our tables register here; the callback runs when
 * the table (or all relcache entries) is invalidated.  Tables announce
 * changes through the trigger function auth._invalidate_cache().
 */
typedef void (*AuthCacheResetFn) (void);
extern void auth_watch_table(const char *relname, AuthCacheResetFn reset);

#endif							/* AUTH_EXT_H */
