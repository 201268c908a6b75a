/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  Admin settings of auth_ext: a registry of known settings with their
 *	  types, bounds and defaults, a per-backend cache of the values stored in
 *	  table auth.config, and the SQL functions that validate and list them.
 *
 * Why a table and not GUCs: every security setting (issuer, audience,
 * leeway, lifetimes, hash costs, lockout) must be out of reach of SET,
 * set_config() and ALTER ROLE ... SET for application roles, yet a database
 * owner who is not superuser (Neon) must be able to change it.  A PGC_SUSET
 * GUC fails the second requirement; a table written only through the
 * SECURITY DEFINER function auth.configure(), granted to the role that
 * installed the extension, meets both.  Reads cost one array lookup: the
 * table is loaded once per backend and again only after it changes.
 *
 * src/base/settings.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "admin.h"
#include "auth_ext.h"

#define MAX_SETTINGS 64

typedef struct SettingValue
{
	int64		ival;
	char	   *sval;			/* in TopMemoryContext */
} SettingValue;

static AuthSetting *registry[MAX_SETTINGS];
static int	nsettings = 0;
static SettingValue values[MAX_SETTINGS];
static bool values_valid = false;
static uint64 generation = 0;

/*
 * values were loaded in parallel mode (leader or worker), with the query's
 * snapshot: they serve until parallel mode ends and are loaded again after
 * it.  Not reloaded on every call meanwhile: callers hold the strings
 * auth_setting_string() returned across further calls (jwt_issuer() then
 * jwt_audience()), and a reload frees them.  (PostgreSQL 16's allocator
 * reuses a freed chunk's first bytes, which made that visible.)
 */
static bool values_parallel = false;

/* values hold the settings now; loaded again when not */
static inline bool
values_current(void)
{
	return likely(values_valid) && likely(!values_parallel || IsInParallelMode());
}

static void
settings_reset(void)
{
	values_valid = false;
	generation++;
}

void
auth_settings_init(void)
{
	auth_watch_table("config", settings_reset);
}

void
auth_register_settings(AuthSetting *defs, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (nsettings >= MAX_SETTINGS)
			elog(ERROR, "auth_ext: too many settings");
		defs[i].slot = nsettings;
		registry[nsettings++] = &defs[i];
	}
}

static AuthSetting *
find_setting(const char *name)
{
	for (int i = 0; i < nsettings; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

/*
 * Parses and bounds-checks a value for a setting.  On success fills *out
 * (string in CurrentMemoryContext) and returns NULL; otherwise returns a
 * sentence saying what is wrong.
 */
static char *
parse_value(const AuthSetting *def, const char *value, SettingValue *out)
{
	char	   *detail = NULL;

	if (def->type == AUTH_SETTING_INT)
	{
		char	   *end;
		long long	v;

		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0')
			return psprintf("Setting \"%s\" takes a whole number.", def->name);
		if (v < def->min || v > def->max)
			return psprintf("Setting \"%s\" must be between " INT64_FORMAT " and " INT64_FORMAT ".",
							def->name, def->min, def->max);
		out->ival = v;
		out->sval = NULL;
	}
	else
	{
		if (def->check && !def->check(value, &detail))
			return detail ? detail : psprintf("Invalid value for setting \"%s\".", def->name);
		out->ival = 0;
		out->sval = pstrdup(value);
	}
	return NULL;
}

typedef struct LoadState
{
	SettingValue *vals;
	MemoryContext cxt;
} LoadState;

static void
load_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	LoadState  *st = (LoadState *) arg;
	Datum		d[2];
	bool		isnull[2];
	char	   *name;
	char	   *value;
	AuthSetting *def;
	SettingValue v;
	char	   *problem;

	heap_deform_tuple(tuple, desc, d, isnull);
	if (isnull[0] || isnull[1])
		return;
	name = TextDatumGetCString(d[0]);
	value = TextDatumGetCString(d[1]);
	def = find_setting(name);
	/* Rows were validated on the way in; anything odd keeps the default. */
	if (def == NULL)
		return;
	problem = parse_value(def, value, &v);
	if (problem != NULL)
	{
		elog(WARNING, "auth_ext: ignoring stored setting \"%s\": %s", name, problem);
		return;
	}
	if (v.sval)
		v.sval = MemoryContextStrdup(st->cxt, v.sval);
	if (st->vals[def->slot].sval)
		pfree(st->vals[def->slot].sval);
	st->vals[def->slot] = v;
}

static void
load_settings(void)
{
	SettingValue newvals[MAX_SETTINGS];
	LoadState	st;
	uint64		gen = generation;

	memset(newvals, 0, sizeof(newvals));
	for (int i = 0; i < nsettings; i++)
	{
		char	   *problem = parse_value(registry[i], registry[i]->default_value, &newvals[i]);

		if (problem)
			elog(ERROR, "auth_ext: bad default for %s: %s", registry[i]->name, problem);
		if (newvals[i].sval)
			newvals[i].sval = MemoryContextStrdup(TopMemoryContext, newvals[i].sval);
	}
	st.vals = newvals;
	st.cxt = TopMemoryContext;
	(void) auth_table_scan("config", load_row, &st);

	for (int i = 0; i < nsettings; i++)
	{
		if (values[i].sval)
			pfree(values[i].sval);
		values[i] = newvals[i];
	}
	/*
	 * An invalidation that arrived while loading means: load again later.
	 * A load in parallel mode serves until it ends (values_parallel; see
	 * auth_table_scan_cacheable).
	 */
	values_valid = (gen == generation);
	values_parallel = !auth_table_scan_cacheable();
}

int64
auth_setting_int(const AuthSetting *def)
{
	if (unlikely(!values_current()))
		load_settings();
	Assert(def->type == AUTH_SETTING_INT);
	return values[def->slot].ival;
}

const char *
auth_setting_string(const AuthSetting *def)
{
	if (unlikely(!values_current()))
		load_settings();
	Assert(def->type == AUTH_SETTING_STRING);
	return values[def->slot].sval;
}

/*
 * SQL function: auth._check_setting(name text, value text) returns text
 *
 * Returns the value as it will be stored.  Throws 42704 for an unknown
 * setting and 22023 for a value out of bounds.  Called by auth.configure().
 */
PG_FUNCTION_INFO_V1(auth_check_setting);
Datum
auth_check_setting(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(1));
	AuthSetting *def = find_setting(name);
	SettingValue v;
	char	   *problem;

	if (def == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown auth_ext setting \"%s\"", name),
				 errhint("SELECT name FROM auth.settings() lists them.")));
	problem = parse_value(def, value, &v);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for auth_ext setting \"%s\"", name),
				 errdetail_internal("%s", problem)));
	if (def->type == AUTH_SETTING_INT)
		PG_RETURN_TEXT_P(cstring_to_text(psprintf(INT64_FORMAT, v.ival)));
	PG_RETURN_TEXT_P(cstring_to_text(v.sval));
}

/*
 * SQL function: auth.settings() returns setof (name, value, default_value,
 * description)
 */
PG_FUNCTION_INFO_V1(auth_settings);
Datum
auth_settings(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	/* cost and lockout policy: the owner's business (src/base/admin.c) */
	auth_require_admin("read auth_ext settings");
	InitMaterializedSRF(fcinfo, 0);
	if (!values_current())
		load_settings();
	for (int i = 0; i < nsettings; i++)
	{
		Datum		d[4];
		bool		nulls[4] = {false, false, false, false};
		const AuthSetting *def = registry[i];

		d[0] = CStringGetTextDatum(def->name);
		if (def->type == AUTH_SETTING_INT)
			d[1] = CStringGetTextDatum(psprintf(INT64_FORMAT, values[i].ival));
		else
			d[1] = CStringGetTextDatum(values[i].sval);
		d[2] = CStringGetTextDatum(def->default_value);
		d[3] = CStringGetTextDatum(def->description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, d, nulls);
	}
	return (Datum) 0;
}
