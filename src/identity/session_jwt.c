/*-------------------------------------------------------------------------
 *
 * session_jwt.c
 *	  auth.init(), the one name of Neon's pg_session_jwt vocabulary that
 *	  auth_ext did not have (issue 15, item 5).  The others are the same
 *	  functions under two names: auth.jwt_session_init() is
 *	  auth.jwt_verify(), auth.session() is auth.jwt() (src/sql/20_tokens.sql,
 *	  src/sql/30_identity.sql); auth.user_id() and auth.uid() exist.
 *
 * In pg_session_jwt, auth.init() reads the one public key the session
 * verifies with from the setting pg_session_jwt.jwk and fails when it is
 * missing.  auth_ext never takes a key from a setting (any role can set a
 * placeholder setting, and a key there would let it choose whom its
 * tokens name): keys come from the keyring and the trusted issuers, which
 * only the extension owner changes.  So auth.init() is a setup check that
 * fails where the app would otherwise fail later with a token that cannot
 * verify:
 *   - 22023 when the session has a non-empty pg_session_jwt.jwk: that key
 *     is not read here; import it once instead (the hint says how);
 *   - 55000 when nothing could verify a token: no key of the keyring is
 *     active and no issuer is trusted.
 * Otherwise it loads the keyring and the trusted issuers into this
 * backend's caches (what the first auth.jwt_verify() would do) and
 * returns.  README "Moving from pg_session_jwt".
 *
 * src/identity/session_jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "issuers.h"
#include "tokens/tokens.h"

/* SQL function: auth.init() returns void */
PG_FUNCTION_INFO_V1(auth_init);
Datum
auth_init(PG_FUNCTION_ARGS)
{
	const char *jwk = GetConfigOption("pg_session_jwt.jwk", true, false);
	KeyringEntry **keys;
	int			nkeys = keyring_all(&keys);
	int			active = 0;

	if (jwk != NULL && jwk[0] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("setting \"pg_session_jwt.jwk\" is not read by auth_ext"),
				 errdetail("auth_ext verifies tokens with its keyring and its trusted issuers only, never with a key taken from a setting."),
				 errhint("As the extension owner, import the key once with auth.import_jwk() (tokens without \"iss\") or auth.trust_issuer() (a provider's tokens), then stop setting pg_session_jwt.jwk.")));
	for (int i = 0; i < nkeys; i++)
		if (!keys[i]->retired)
			active++;
	if (active == 0 && issuers_count() == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("auth_ext has no key to verify tokens with"),
				 errdetail("Every key of the keyring is retired and no issuer is trusted."),
				 errhint("As the extension owner, create a key with auth.create_key(), import one with auth.import_jwk(), or trust a provider with auth.trust_issuer().")));
	PG_RETURN_VOID();
}
