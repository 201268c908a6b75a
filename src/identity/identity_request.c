/*-------------------------------------------------------------------------
 *
 * identity_request.c
 *	  auth.pre_request(): the identity of a PostgREST request, taken from
 *	  the bearer token of its Authorization header or from a configured
 *	  cookie.
 *
 * PostgREST sets request.headers (JSON, lower-case header names) and
 * request.cookies (JSON) transaction-locally, then calls the function named
 * by db-pre-request before the request's own query.  These settings are
 * ordinary placeholders any client can set, which is harmless: all they can
 * carry is a token, and the token is verified.  pre_request first clears
 * the identity, so a request without a token is anonymous even if the same
 * transaction had verified another token before.
 *
 * Failures raise PT401 with the same client-facing message as the tokens
 * area ("Invalid token", which PostgREST passes on with HTTP 401) and the
 * reason in errdetail.
 *
 * Admin setting identity.cookie_name: name of a cookie carrying the token
 * when there is no Authorization: Bearer header ('' = no cookie, default).
 *
 * Admin setting identity.from_request ('off' by default): 'on' lets the
 * readers (auth.user_id() and the others, identity.c) take the identity
 * from the request themselves, the first time one is called in a
 * transaction whose identity nothing has set yet; the frontend then needs
 * no pre-request statement, and an authenticated request costs no more
 * round trips than an anonymous one.  Same token, same verification, same
 * errors as auth.pre_request(); see identity_from_request().  The
 * readers only take request.headers and request.cookies values set for the
 * current transaction (set_config(..., true), SET LOCAL, as PostgREST sets
 * them): a session-level value outlives its transaction, and behind a
 * transaction-mode pooler it would still be there in the next client's
 * transactions on the same server connection (see request_object()).
 *
 * src/identity/identity_request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "auth_ext.h"
#include "identity.h"
#include "identity_parse.h"
#include "pg_compat.h"

static bool check_cookie_name(const char *value, char **detail);
static bool check_on_off(const char *value, char **detail);

enum
{
	S_COOKIE_NAME,
	S_FROM_REQUEST
};

static AuthSetting request_settings[] = {
	[S_COOKIE_NAME] = {"identity.cookie_name", AUTH_SETTING_STRING, "", 0, 0,
		"cookie carrying the token when there is no Authorization: Bearer header ('' = none)",
	check_cookie_name, 0},
	[S_FROM_REQUEST] = {"identity.from_request", AUTH_SETTING_STRING, "off", 0, 0,
		"'on': the identity readers verify the request's token themselves when nothing set the identity (no auth.pre_request() needed)",
	check_on_off, 0},
};

static bool
check_on_off(const char *value, char **detail)
{
	if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)
		return true;
	*detail = pstrdup("The value is 'on' or 'off'.");
	return false;
}

static bool
check_cookie_name(const char *value, char **detail)
{
	if (*value == '\0' || auth_valid_cookie_name(value, strlen(value)))
		return true;
	*detail = pstrdup("A cookie name is a token of letters, digits and !#$%&'*+-.^_`|~.");
	return false;
}

static void identity_from_request(bool this_xact_only);
static void resolve_from_request(void);

/*
 * The identity.* settings, and the readers' resolution from the request
 * (identity.c calls it through the hook it is given here).
 */
void
auth_identity_request_init(void)
{
	auth_register_settings(request_settings, lengthof(request_settings));
	auth_identity_set_resolver(resolve_from_request);
}

/*
 * True when setting name's value was set for the current transaction only
 * (set_config(name, value, true), SET LOCAL, a function's SET clause):
 * PostgreSQL undoes it by the end of the transaction.  False for a value
 * set with SET or set_config(..., false), which outlives the transaction.
 * A parallel worker gets its leader's values as session values and cannot
 * tell: it takes them (see docs/30_identity.md).
 */
static bool
set_for_this_transaction(const char *name)
{
	struct config_generic *gconf;

	if (IsParallelWorker())
		return true;
	gconf = auth_guc_record(name);
	if (gconf == NULL || gconf->stack == NULL)
		return false;
	switch (gconf->stack->state)
	{
		case GUC_LOCAL:
		case GUC_SET_LOCAL:
		case GUC_SAVE:
			return true;
		case GUC_SET:
			break;
	}
	return false;
}

/*
 * Parses the JSON object in setting "name" (a request.* setting), or
 * returns NULL when the setting is absent or empty, or, when this_xact_only,
 * when its value was not set for the current transaction.
 */
static Jsonb *
request_object(const char *name, bool this_xact_only)
{
	const char *value = GetConfigOption(name, true, false);
	Jsonb	   *jb;

	if (value == NULL || *value == '\0')
		return NULL;
	if (this_xact_only && !set_for_this_transaction(name))
		return NULL;
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(value)));
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("setting \"%s\" is not a JSON object", name)));
	return jb;
}

/*
 * Looks up key in a request.* object.  Returns false when absent; raises
 * PT401 when present but not a string (a malformed credential).
 */
static bool
request_string(Jsonb *jb, const char *key, const char *what,
			   const char **val, int *len)
{
	JsonbValue	buf;
	JsonbValue *v;

	v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key), &buf);
	if (v == NULL || v->type == jbvNull)
		return false;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_AUTH_INVALID_TOKEN),
				 errmsg("Invalid token"),
				 errdetail("The %s is not a string.", what)));
	*val = v->val.string.val;
	*len = v->val.string.len;
	return true;
}

/*
 * The request's token: the Authorization: Bearer header, else the
 * configured cookie (with this_xact_only, only settings set for the current
 * transaction count).  Returns false when the request carries none; raises
 * PT401 for a malformed one.
 */
static bool
request_token(const char **token, int *token_len, bool this_xact_only)
{
	Jsonb	   *headers = request_object("request.headers", this_xact_only);
	const char *val;
	int			len;

	if (headers != NULL &&
		request_string(headers, "authorization", "Authorization header",
					   &val, &len))
	{
		size_t		off,
					tlen;

		switch (auth_parse_bearer(val, len, &off, &tlen))
		{
			case AUTH_BEARER_OK:
				*token = val + off;
				*token_len = (int) tlen;
				return true;
			case AUTH_BEARER_MALFORMED:
				ereport(ERROR,
						(errcode(ERRCODE_AUTH_INVALID_TOKEN),
						 errmsg("Invalid token"),
						 errdetail("The Authorization header has the Bearer scheme but no well-formed token.")));
				break;
			case AUTH_BEARER_NONE:
				break;			/* another scheme: not ours, anonymous */
		}
	}

	{
		const char *cookie = auth_setting_string(&request_settings[S_COOKIE_NAME]);

		if (*cookie != '\0')
		{
			Jsonb	   *cookies = request_object("request.cookies", this_xact_only);

			if (cookies != NULL &&
				request_string(cookies, cookie, "token cookie", &val, &len) &&
				len > 0)
			{
				*token = val;
				*token_len = len;
				return true;
			}
		}
	}
	return false;
}

/*
 * Makes the request's token the identity of the transaction: anonymous
 * unless the request carries a token, which must verify (PT401 otherwise).
 * What auth.pre_request() does (this_xact_only false: called explicitly, it
 * reads the request settings as they are), and what the readers do on
 * first use when identity.from_request is on (this_xact_only true: only
 * request settings of this transaction, never one a previous client of a
 * pooled connection left at session level).
 */
static void
identity_from_request(bool this_xact_only)
{
	const char *token = NULL;
	int			token_len = 0;
	bool		found = request_token(&token, &token_len, this_xact_only);

	auth_identity_set(NULL);
	if (found)
		(void) auth_jwt_verify_token(token, token_len);
}

/*
 * The readers' resolution (identity.c, first use in a transaction whose
 * identity is unset): the request's identity when identity.from_request is
 * 'on', from request settings of this transaction only.
 */
static void
resolve_from_request(void)
{
	if (strcmp(auth_setting_string(&request_settings[S_FROM_REQUEST]), "on") == 0)
		identity_from_request(true);
}

/* SQL function: auth.pre_request() returns void */
PG_FUNCTION_INFO_V1(auth_pre_request);
Datum
auth_pre_request(PG_FUNCTION_ARGS)
{
	identity_from_request(false);
	PG_RETURN_VOID();
}
