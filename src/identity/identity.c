/*-------------------------------------------------------------------------
 *
 * identity.c
 *	  The identity of the current transaction: where auth.jwt_verify()
 *	  leaves the verified claims, and the C readers that RLS policies call
 *	  (auth.user_id(), auth.uid(), auth.jwt(), auth.session(), auth.role(),
 *	  auth.email()).
 *
 * Design.  The claims live in the string setting auth_ext.claims, which
 * only this file assigns, with set_config_option(..., GUC_ACTION_LOCAL).
 * Using PostgreSQL's own setting machinery buys three things for free:
 *
 *	 - transaction scope: the value is restored at COMMIT, ROLLBACK and
 *	   ROLLBACK TO SAVEPOINT, so a pooled server connection never hands one
 *	   client's identity to the next transaction;
 *	 - parallel query: settings are serialized to parallel workers, so a
 *	   policy evaluated inside a worker sees the leader's identity;
 *	 - nothing to clean up after an error.
 *
 * What keeps SQL from forging it:
 *
 *	 - PGC_SUSET: SET, SET LOCAL, set_config(), RESET, ALTER ROLE/DATABASE
 *	   ... SET, PGOPTIONS and function SET clauses are refused to anyone
 *	   but a superuser;
 *	 - a check hook that refuses every non-empty value, superuser or not,
 *	   unless this file is assigning it (a static flag set around our one
 *	   set_config_option() call) or a parallel worker is restoring the
 *	   leader's settings (InitializingParallelWorker);
 *	 - GUC_NO_RESET_ALL (RESET ALL / DISCARD ALL leave it alone),
 *	   GUC_DISALLOW_IN_FILE (no ALTER SYSTEM / postgresql.conf),
 *	   GUC_SUPERUSER_ONLY + GUC_NO_SHOW_ALL (current_setting() and SHOW are
 *	   refused to application roles, which must use the readers);
 *	 - _PG_init reserves the prefix auth_ext, so a placeholder forged before
 *	   the library was loaded is discarded when it loads; the readers are C
 *	   functions of this library, so calling one loads it first.
 *
 * Three states.  '' (the boot value, restored at every transaction end):
 * nothing has set the identity of this transaction yet; 'null': set, to
 * anonymous (auth.pre_request() without a token, auth_identity_set(NULL));
 * a JSON object: the verified claims.  While it is '', and only then, a
 * reader with identity.from_request on takes the identity from the request
 * itself (identity_request.c) before answering: once per transaction,
 * through the setting as usual; in parallel mode (a worker whose leader had
 * not resolved it, or the leader during a parallel query), where settings
 * cannot change, into this process and transaction only (local_claims).
 * All verify the same token against the same snapshot and statement time.
 *
 * Speed.  The check hook parses the value once, into the setting's "extra"
 * (one block from auth_guc_malloc(): the claims as a flat Jsonb plus the sub, role and
 * email strings and the sub as a UUID), and the assign hook points
 * "current" at it.  PostgreSQL calls the assign hook on every change,
 * including the restores at transaction end, so "current" always matches
 * the setting and a reader costs one pointer test and a palloc for its
 * result: no JSON parse per call, no cache key to compare.
 *
 * src/identity/identity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "auth_ext.h"
#include "identity.h"
#include "identity_parse.h"
#include "pg_compat.h"

#define CLAIMS_GUC "auth_ext.claims"

/* The string claims the readers return, pre-extracted at assignment. */
typedef enum IdentityClaim
{
	CLAIM_SUB,
	CLAIM_ROLE,
	CLAIM_EMAIL,
	NUM_CLAIMS
} IdentityClaim;

static const char *const claim_keys[NUM_CLAIMS] = {"sub", "role", "email"};

/*
 * The parsed claims of the current value of auth_ext.claims: the "extra" of
 * the setting, one block owned by guc.c (allocated the way its major frees
 * it: malloc() up to 15, guc_malloc() from 16 on; see pg_compat.h).  Offsets are from the
 * start of the block; a length of -1 means the claim is absent or not a
 * string.
 */
typedef struct IdentityClaims
{
	Size		jsonb_off;		/* the claims object, a Jsonb varlena */
	Size		str_off[NUM_CLAIMS];
	int			str_len[NUM_CLAIMS];
	bool		has_uid;		/* sub parses as a UUID */
	pg_uuid_t	uid;
} IdentityClaims;

static char *claims_value = NULL;	/* the setting's variable (JSON text) */
static const IdentityClaims *current = NULL;
static bool decided = false;	/* the setting is not '' */

/*
 * identity.from_request: the transaction whose request was looked at while
 * the identity stayed unset (no token, or the setting off), so that the
 * readers do not look again on every call.
 */
static LocalTransactionId request_checked = InvalidLocalTransactionId;

/* identity_request.c's resolution from the request (identity.h) */
static AuthIdentityResolver resolver = NULL;

/*
 * The identity the readers resolved from the request in parallel mode
 * (leader or worker), where settings cannot change: from auth_guc_malloc(), good for this
 * process and transaction (local_lxid) only, dropped by ROLLBACK TO
 * SAVEPOINT; NULL with local_lxid set means anonymous.
 */
static IdentityClaims *local_claims = NULL;
static LocalTransactionId local_lxid = InvalidLocalTransactionId;

static void identity_assign(Jsonb *claims, const char *text);

/* Set only around auth_identity_set()'s set_config_option() call. */
static bool assigning = false;
static Jsonb *pending = NULL;

/* Size of the string claim "key" of jb, or -1; *val points into jb. */
static int
string_claim(Jsonb *jb, const char *key, const char **val)
{
	JsonbValue	buf;
	JsonbValue *v;

	v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key), &buf);
	if (v == NULL || v->type != jbvString)
		return -1;
	*val = v->val.string.val;
	return v->val.string.len;
}

/*
 * Builds the extra for claims jb with auth_guc_malloc(), as guc.c frees it
 * (free() up to 15, guc_free() from 16 on).
 * Returns NULL when out of memory.
 */
static IdentityClaims *
build_claims(Jsonb *value)
{
	const char *val[NUM_CLAIMS] = {NULL};
	int			len[NUM_CLAIMS];
	Jsonb	   *jb = value;
	bool		mapped = JB_ROOT_IS_ARRAY(value) && !JB_ROOT_IS_SCALAR(value);
	Size		size;
	Size		off;
	char	   *base;
	IdentityClaims *c;
	JsonbValue *local = NULL;

	/*
	 * A trusted issuer's token (auth_identity_set_mapped): [claims, user
	 * id, role, local user], the last three strings or null.
	 */
	if (mapped)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(&value->root, 0);

		if (JsonContainerSize(&value->root) != 4 || e == NULL ||
			e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
			elog(ERROR, "auth_ext: mapped identity is not [claims, user id, role, local user]");
		jb = JsonbValueToJsonb(e);
		local = getIthJsonbValueFromContainer(&value->root, 3);
		if (local->type != jbvString)
			local = NULL;
	}
	size = MAXALIGN(sizeof(IdentityClaims)) + VARSIZE(jb);
	for (int i = 0; i < NUM_CLAIMS; i++)
	{
		len[i] = string_claim(jb, claim_keys[i], &val[i]);
		if (mapped && i != CLAIM_EMAIL)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(&value->root,
														  i == CLAIM_SUB ? 1 : 2);

			len[i] = e->type == jbvString ? e->val.string.len : -1;
			val[i] = e->type == jbvString ? e->val.string.val : NULL;
		}
		size += Max(len[i], 0);
	}
	/* an empty subject identifies nobody */
	if (len[CLAIM_SUB] == 0)
		len[CLAIM_SUB] = -1;

	base = auth_guc_malloc(size);
	if (base == NULL)
		return NULL;
	c = (IdentityClaims *) base;
	memset(c, 0, sizeof(IdentityClaims));

	off = MAXALIGN(sizeof(IdentityClaims));
	c->jsonb_off = off;
	memcpy(base + off, jb, VARSIZE(jb));
	off += VARSIZE(jb);

	/* the strings point into jb: copy them */
	for (int i = 0; i < NUM_CLAIMS; i++)
	{
		c->str_off[i] = off;
		c->str_len[i] = len[i];
		if (len[i] > 0)
		{
			memcpy(base + off, val[i], len[i]);
			off += len[i];
		}
	}

	/*
	 * One identity per user: the sub string, exactly as signed.  auth.uid()
	 * is that string read as a UUID, so only the canonical spelling counts;
	 * "{A974319E-...}" or a form without hyphens is another string, hence
	 * another identity (auth.user_id() and revocation see it as it is), and
	 * has no uid (docs/30_identity.md, docs/70_findings.md finding 10).
	 */
	c->has_uid = !mapped && len[CLAIM_SUB] > 0 &&
		auth_uuid_is_canonical(val[CLAIM_SUB], len[CLAIM_SUB]) &&
		auth_parse_uuid(val[CLAIM_SUB], len[CLAIM_SUB], c->uid.data);
	/* an external token has a uid only through a link (linking.c) */
	if (local)
		c->has_uid = auth_parse_uuid(local->val.string.val, local->val.string.len,
									 c->uid.data);
	return c;
}

/*
 * check_hook of auth_ext.claims: see the file header.  The empty string
 * (anonymous) is always allowed: it is the boot value, and clearing the
 * identity gives nobody anything.
 */
static bool
check_claims(char **newval, void **extra, GucSource source)
{
	Jsonb	   *jb;
	IdentityClaims *c;

	if (**newval == '\0')
	{
		*extra = NULL;
		return true;
	}
	/* decided anonymous: ours, or a worker restoring its leader's */
	if (strcmp(*newval, "null") == 0 &&
		(assigning || (InitializingParallelWorker && source == PGC_S_SESSION)))
	{
		*extra = NULL;
		return true;
	}

	if (assigning && pending != NULL)
		jb = pending;
	else if (InitializingParallelWorker && source == PGC_S_SESSION)
	{
		/*
		 * A parallel worker restoring its leader's value, which only
		 * auth_identity_set() can have assigned (source session).  A
		 * placeholder from a file or role setting, re-applied when the
		 * worker loads the library, has another source and is refused.
		 */
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
												CStringGetDatum(*newval)));
	}
	else
	{
		GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
		GUC_check_errmsg("parameter \"%s\" can only be set by auth.jwt_verify()",
						 CLAIMS_GUC);
		GUC_check_errdetail("The identity of a transaction comes only from a verified token.");
		return false;
	}

	if ((!JB_ROOT_IS_OBJECT(jb) && !JB_ROOT_IS_ARRAY(jb)) || JB_ROOT_IS_SCALAR(jb))
		elog(ERROR, "auth_ext: token claims are not a JSON object");
	c = build_claims(jb);
	if (c == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	*extra = c;
	return true;
}

/* ROLLBACK TO SAVEPOINT: whatever was looked at inside it, look again */
static void
identity_subxact(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		request_checked = InvalidLocalTransactionId;
		local_lxid = InvalidLocalTransactionId;
	}
}

/* assign_hook of auth_ext.claims: called on every change, restores too. */
static void
assign_claims(const char *newval, void *extra)
{
	current = (const IdentityClaims *) extra;
	decided = newval != NULL && newval[0] != '\0';
	/* back to unset (ROLLBACK TO SAVEPOINT, too): look at the request again */
	if (!decided)
		request_checked = InvalidLocalTransactionId;
}

void
auth_identity_init(void)
{
	DefineCustomStringVariable(CLAIMS_GUC,
							   gettext_noop("Verified claims of the current transaction (set by auth.jwt_verify only)."),
							   gettext_noop("Read it with auth.user_id(), auth.jwt() and the other auth readers."),
							   &claims_value,
							   "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE |
							   GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL |
							   GUC_SUPERUSER_ONLY,
							   check_claims,
							   assign_claims,
							   NULL);
	RegisterSubXactCallback(identity_subxact, NULL);
}

/* See identity.h: set once, by auth_identity_request_init(). */
void
auth_identity_set_resolver(AuthIdentityResolver fn)
{
	resolver = fn;
}

/*
 * Makes claims (a JSON object) the identity of the current transaction, or
 * clears it when claims is NULL.  Transaction-local: PostgreSQL restores the
 * previous value at COMMIT, ROLLBACK or ROLLBACK TO SAVEPOINT.  Never writes
 * to the database, so it works in read-only transactions and on standbys.
 */
void
auth_identity_set(Jsonb *claims)
{
	if (claims != NULL && (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims)))
		elog(ERROR, "auth_ext: token claims are not a JSON object");
	auth_identity_set_text(claims,
						   claims ? JsonbToCString(NULL, &claims->root, VARSIZE(claims)) : "null");
}

/*
 * auth_identity_set() with the claims' text already made.  The text is what
 * the setting carries, e.g. to parallel workers, which parse it with
 * jsonb_in: it must be a JSON text that jsonb_in turns into exactly claims
 * (JsonbToCString(claims), or the very text claims was parsed from, as
 * auth_jwt_verify_token() passes).
 */
void
auth_identity_set_text(Jsonb *claims, const char *text)
{
	if (claims && (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims)))
		elog(ERROR, "auth_ext: token claims are not a JSON object");
	identity_assign(claims, text);
}

static void
push_string_or_null(JsonbParseState **st, const char *s, int len)
{
	JsonbValue	v;

	if (len < 0)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) s;
		v.val.string.len = len;
	}
	pushJsonbValue(st, WJB_ELEM, &v);
}

static void
append_string_or_null(StringInfo buf, const char *s, int len)
{
	if (len < 0)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, pnstrdup(s, len));
}

/*
 * A trusted issuer's token (issuers.c): the setting holds [claims, user id,
 * role, local user], so that the readers, and parallel workers restoring
 * the setting, take auth.user_id() and auth.role() from the issuer's claim
 * mapping and give auth.uid() only for a subject linked to a local user
 * (an external subject is otherwise no local user).  An empty user id
 * identifies nobody.
 */
void
auth_identity_set_mapped(Jsonb *claims, const char *text,
						 const char *user_id, int user_id_len,
						 const char *role, int role_len,
						 const pg_uuid_t *local_user)
{
	JsonbParseState *st = NULL;
	JsonbValue	v;
	StringInfoData buf;
	char	   *local = local_user ?
		DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(local_user))) : NULL;

	if (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims))
		elog(ERROR, "auth_ext: token claims are not a JSON object");
	if (user_id_len == 0)
		user_id_len = -1;
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	v.type = jbvBinary;
	v.val.binary.data = &claims->root;
	v.val.binary.len = VARSIZE(claims) - VARHDRSZ;
	pushJsonbValue(&st, WJB_ELEM, &v);
	push_string_or_null(&st, user_id, user_id_len);
	push_string_or_null(&st, role, role_len);
	push_string_or_null(&st, local, local ? (int) strlen(local) : -1);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	appendStringInfoString(&buf, text);
	appendStringInfoChar(&buf, ',');
	append_string_or_null(&buf, user_id, user_id_len);
	appendStringInfoChar(&buf, ',');
	append_string_or_null(&buf, role, role_len);
	appendStringInfoChar(&buf, ',');
	append_string_or_null(&buf, local, local ? (int) strlen(local) : -1);
	appendStringInfoChar(&buf, ']');
	identity_assign(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_ARRAY, NULL)), buf.data);
}

/* Assigns value (claims, or [claims, user id, role]) with its text form. */
static void
identity_assign(Jsonb *claims, const char *text)
{
	const char *volatile value = claims ? text : "null";

	if (IsInParallelMode())
	{
		/*
		 * Only the readers' resolution from the request gets here
		 * (everything else that sets the identity is PARALLEL UNSAFE): keep
		 * it in this process, for this transaction.
		 */
		IdentityClaims *c = claims ? build_claims(claims) : NULL;

		if (claims && c == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		auth_guc_free(local_claims);
		local_claims = c;
		local_lxid = AUTH_MY_LXID;
		return;
	}

	pending = claims;
	assigning = true;
	PG_TRY();
	{
		(void) set_config_option(CLAIMS_GUC, value, PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
	}
	PG_FINALLY();
	{
		assigning = false;
		pending = NULL;
	}
	PG_END_TRY();
}

/* ---- readers: STABLE PARALLEL SAFE, NULL when anonymous ---- */

/*
 * The identity the readers answer with.  While nothing has set it in this
 * transaction and identity.from_request is on, it is first taken from the
 * request (once per transaction: a request without a token, or the
 * setting off, is not looked at again).
 */
static inline const IdentityClaims *
identity_now(void)
{
	if (likely(decided))
		return current;
	if (local_lxid == AUTH_MY_LXID)
		return local_claims;
	if (request_checked != AUTH_MY_LXID)
	{
		request_checked = AUTH_MY_LXID;
		if (resolver)
			resolver();
		if (!decided && local_lxid == AUTH_MY_LXID)
			return local_claims;
	}
	return current;
}

/* The string claim "which" as text, or SQL NULL. */
static Datum
claim_text(FunctionCallInfo fcinfo, IdentityClaim which)
{
	const IdentityClaims *c = identity_now();

	if (c == NULL || c->str_len[which] < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len((const char *) c + c->str_off[which],
											  c->str_len[which]));
}

/* SQL function: auth.user_id() returns text, the sub claim */
PG_FUNCTION_INFO_V1(auth_user_id);
Datum
auth_user_id(PG_FUNCTION_ARGS)
{
	return claim_text(fcinfo, CLAIM_SUB);
}

/* SQL function: auth.role() returns text, the role claim */
PG_FUNCTION_INFO_V1(auth_role);
Datum
auth_role(PG_FUNCTION_ARGS)
{
	return claim_text(fcinfo, CLAIM_ROLE);
}

/* SQL function: auth.email() returns text, the email claim */
PG_FUNCTION_INFO_V1(auth_email);
Datum
auth_email(PG_FUNCTION_ARGS)
{
	return claim_text(fcinfo, CLAIM_EMAIL);
}

/* SQL function: auth.uid() returns uuid, the sub claim when it is a UUID */
PG_FUNCTION_INFO_V1(auth_uid);
Datum
auth_uid(PG_FUNCTION_ARGS)
{
	const IdentityClaims *c = identity_now();
	pg_uuid_t  *result;

	if (c == NULL || !c->has_uid)
		PG_RETURN_NULL();
	result = palloc(sizeof(pg_uuid_t));
	memcpy(result, &c->uid, sizeof(pg_uuid_t));
	PG_RETURN_UUID_P(result);
}

/* SQL functions: auth.jwt() and auth.session() return jsonb, every claim */
PG_FUNCTION_INFO_V1(auth_claims);
Datum
auth_claims(PG_FUNCTION_ARGS)
{
	const IdentityClaims *c = identity_now();
	const Jsonb *jb;
	Jsonb	   *result;

	if (c == NULL)
		PG_RETURN_NULL();
	jb = (const Jsonb *) ((const char *) c + c->jsonb_off);
	result = palloc(VARSIZE(jb));
	memcpy(result, jb, VARSIZE(jb));
	PG_RETURN_JSONB_P(result);
}
