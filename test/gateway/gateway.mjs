// test/gateway/gateway.mjs: a TEST DOUBLE of PostgREST's per-request protocol,
// for auth_ext's end-to-end HTTP tests and demo.  Not a product: PostgREST
// cannot be installed on the build machines, so this reproduces, for the few
// routes the todo app needs, what PostgREST does for each request:
//
//   1. Authorization: Bearer <jwt> is verified with `jose` against the
//      database's own auth.jwks() (signature and algorithm; a failure is 401
//      PGRST301 with WWW-Authenticate).  Its `role` claim, or the anonymous
//      role without a token, becomes the role of the transaction.
//      Deviation, on purpose: the time claims (exp, nbf) are left to the
//      database, which checks them again in auth.pre_request() anyway, so a
//      client sees the database's message ("Token expired, please log in
//      again", PT401) rather than PostgREST's "JWT expired".
//   2. One transaction per request, READ ONLY for GET, in which:
//        select set_config('search_path', ...), set_config('role', ...),
//               set_config('request.jwt.claims' | 'request.headers' |
//               'request.cookies' | 'request.method' | 'request.path', ..., true)
//      (header names lowercased, as PostgREST does), then
//        select auth.pre_request()          -- db-pre-request
//      then the query; response.status and response.headers (GUCs set by
//      the query) are read back before COMMIT and honoured.
//   3. Errors: the SQLSTATE is mapped to an HTTP status as PostgREST maps it
//      (PTnnn -> nnn, 42501 -> 401 anonymous / 403 authenticated, 23505 and
//      23503 -> 409, P0001 -> 400, 42883/42P01 -> 404, 08 -> 503, ... other
//      -> 400), with PostgREST's body {"code","details","hint","message"} and
//      `WWW-Authenticate: Bearer` on every 401.
//
// Routes (schema `todo`):
//   POST /rpc/<fn>                    JSON object body -> named arguments
//   GET|POST|PATCH|DELETE /tasks      filters `col=eq.value`; POST takes an
//                                     object or an array; `Prefer:
//                                     return=representation` returns the rows
//
// Usage as a module: `const gw = await startGateway({ database, user,
// anonRole })`, then gw.url, await gw.close().  From the shell:
//   node test/gateway/gateway.mjs --database demo --user authenticator --anon-role anon
// prints "listening on http://127.0.0.1:<port>" and serves until killed.
// It listens on 127.0.0.1 with an ephemeral port and reaches PostgreSQL over
// the unix socket in PGHOST.

import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// The test packages (pg, jose) live in test/interop/node_modules.
const requireInterop = createRequire(new URL('../interop/package.json', import.meta.url));
const pg = requireInterop('pg');
const jose = await import(pathToFileURL(requireInterop.resolve('jose')).href);

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_BODY = 1 << 20;

const quoteIdent = (name) => '"' + name.replace(/"/g, '""') + '"';

// PostgREST's SQLSTATE -> HTTP status table (docs "Errors", HTTP Status Codes).
export function httpStatusFor(sqlstate, authenticated) {
  const code = String(sqlstate || '');
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  const exact = {
    '23503': 409, '23505': 409, '25006': 405, '42883': 404, '42P01': 404,
    'P0001': 400, '53400': 500,
  };
  if (code === '42501') return authenticated ? 403 : 401;
  if (code in exact) return exact[code];
  const byClass = {
    '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500,
    '38': 500, '39': 500, '3B': 500, '40': 500, '53': 503, '54': 413, '55': 500,
    '57': 500, '58': 500, 'F0': 500, 'HV': 500, 'P0': 500, 'XX': 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

class HttpError extends Error {
  constructor(status, code, message, details = null, hint = null, headers = {}) {
    super(message);
    Object.assign(this, { status, code, details, hint, headers });
  }
}

function parseCookies(header) {
  const out = {};
  for (const part of (header || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'PGRST102', 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'PGRST102', 'Empty or invalid json');
  }
}

// `col=eq.value` filters -> SQL condition with parameters starting at $first.
function filters(searchParams, first) {
  const conds = [];
  const params = [];
  for (const [col, value] of searchParams) {
    if (['select', 'order', 'limit', 'offset'].includes(col)) continue;
    const m = /^eq\.(.*)$/s.exec(value);
    if (!IDENT.test(col) || !m)
      throw new HttpError(400, 'PGRST100', `"${value}" is not a supported filter`, null,
        'This test double of PostgREST supports only col=eq.value');
    params.push(m[1]);
    conds.push(`${quoteIdent(col)} = $${first + params.length - 1}`);
  }
  return { where: conds.length ? ' WHERE ' + conds.join(' AND ') : '', params };
}

function columnsOf(rows) {
  const cols = new Set();
  for (const row of rows) {
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw new HttpError(400, 'PGRST102', 'All object keys must match');
    for (const k of Object.keys(row)) {
      if (!IDENT.test(k)) throw new HttpError(400, 'PGRST204', `Column '${k}' is not valid`);
      cols.add(k);
    }
  }
  if (cols.size === 0) throw new HttpError(400, 'PGRST102', 'Empty or invalid json');
  return [...cols].map(quoteIdent).join(', ');
}

function argValue(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The SQL of one request: { sql, params, kind } where kind says how to answer.
function plan(method, url, body, schema) {
  const path = url.pathname;
  const rpc = /^\/rpc\/([^/]+)$/.exec(path);
  if (rpc) {
    const fn = rpc[1];
    if (!IDENT.test(fn)) throw new HttpError(404, 'PGRST202', `Could not find the function ${schema}.${fn}`);
    if (method !== 'POST' && method !== 'GET')
      throw new HttpError(405, 'PGRST101', 'Only GET or POST is allowed for functions');
    let args = method === 'GET' ? Object.fromEntries(url.searchParams) : (body ?? {});
    if (args === null || typeof args !== 'object' || Array.isArray(args))
      throw new HttpError(400, 'PGRST102', 'Empty or invalid json');
    const names = Object.keys(args);
    for (const n of names)
      if (!IDENT.test(n)) throw new HttpError(404, 'PGRST202', `Could not find the function ${schema}.${fn}`);
    const call = names.map((n, i) => `${quoteIdent(n)} := $${i + 1}`).join(', ');
    return {
      sql: `SELECT pg_catalog.to_json(${quoteIdent(schema)}.${quoteIdent(fn)}(${call}))::text AS body`,
      params: names.map((n) => argValue(args[n])),
      kind: 'scalar',
    };
  }
  if (path !== '/tasks') throw new HttpError(404, 'PGRST205', `Could not find the table ${schema}${path.replace('/', '.')}`);
  const table = `${quoteIdent(schema)}.${quoteIdent('tasks')}`;
  const agg = (inner) => `SELECT COALESCE(pg_catalog.json_agg(_r), '[]')::text AS body, pg_catalog.count(_r.*) AS n FROM (${inner}) _r`;
  switch (method) {
    case 'GET': {
      const f = filters(url.searchParams, 1);
      return { sql: agg(`SELECT * FROM ${table}${f.where} ORDER BY id`), params: f.params, kind: 'rows' };
    }
    case 'POST': {
      const rows = Array.isArray(body) ? body : [body];
      const cols = columnsOf(rows);
      return {
        sql: `WITH _w AS (INSERT INTO ${table} (${cols}) SELECT ${cols} FROM pg_catalog.json_populate_recordset(NULL::${table}, $1::json) RETURNING *) ${agg('SELECT * FROM _w')}`,
        params: [JSON.stringify(rows)], kind: 'insert',
      };
    }
    case 'PATCH': {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new HttpError(400, 'PGRST102', 'Empty or invalid json');
      const cols = columnsOf([body]);
      const f = filters(url.searchParams, 2);
      return {
        sql: `WITH _w AS (UPDATE ${table} SET (${cols}) = (SELECT ${cols} FROM pg_catalog.json_populate_record(NULL::${table}, $1::json))${f.where} RETURNING *) ${agg('SELECT * FROM _w')}`,
        params: [JSON.stringify(body), ...f.params], kind: 'change',
      };
    }
    case 'DELETE': {
      const f = filters(url.searchParams, 1);
      return { sql: `WITH _w AS (DELETE FROM ${table}${f.where} RETURNING *) ${agg('SELECT * FROM _w')}`, params: f.params, kind: 'change' };
    }
    default:
      throw new HttpError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  }
}

export async function startGateway(options = {}) {
  const {
    host = process.env.PGHOST,
    port = process.env.PGPORT,
    database,
    user = 'postgres',
    anonRole = 'anon',
    schema = 'todo',
    extraSearchPath = ['public'],
    preRequest = 'auth.pre_request',
    poolSize = 10,
  } = options;
  const pool = new pg.Pool({ host, port, database, user, max: poolSize });
  pool.on('error', () => {}); // an idle client's connection died: the pool replaces it

  // auth.jwks(), fetched at start and again when a token names an unknown kid.
  let keySet = null;
  let jwksFetchedAt = 0;
  async function loadJwks() {
    const r = await pool.query('SELECT auth.jwks()::text AS jwks');
    keySet = jose.createLocalJWKSet(JSON.parse(r.rows[0].jwks));
    jwksFetchedAt = Date.now();
  }
  await loadJwks();

  async function authenticate(req) {
    // Like PostgREST (and auth.pre_request()): only a Bearer token counts;
    // no Authorization header, or another scheme, is anonymous.
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
    if (!m) return { role: anonRole, claims: { role: anonRole }, authenticated: false };
    let result;
    try {
      result = await jose.compactVerify(m[1], keySet);
    } catch (e) {
      // A key added since we last looked: fetch the JWKS once more (at most every second).
      if (e.code === 'ERR_JWKS_NO_MATCHING_KEY' && Date.now() - jwksFetchedAt > 1000) {
        await loadJwks();
        try { result = await jose.compactVerify(m[1], keySet); } catch (e2) { e = e2; }
      }
      if (!result)
        throw new HttpError(401, 'PGRST301', 'Invalid token', e.message, null,
          { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${String(e.code || 'invalid')}"` });
    }
    let claims;
    try {
      claims = JSON.parse(new TextDecoder().decode(result.payload));
    } catch {
      claims = null;
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
      throw new HttpError(401, 'PGRST301', 'Invalid token', 'The payload is not a JSON object', null,
        { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : anonRole;
    return { role, claims, authenticated: true };
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://gateway');
    const method = req.method;
    const prefer = String(req.headers.prefer || '');
    const wantRows = /return=representation/.test(prefer);
    let who = { authenticated: false };
    let client = null;
    try {
      const body = await readBody(req);
      const q = plan(method, url, body, schema);
      who = await authenticate(req);
      client = await pool.connect();
      await client.query(method === 'GET'
        ? 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY'
        : 'BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        const headers = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = String(v);
        await client.query(
          `SELECT pg_catalog.set_config('search_path', $1, true),
                  pg_catalog.set_config('role', $2, true),
                  pg_catalog.set_config('request.jwt.claims', $3, true),
                  pg_catalog.set_config('request.method', $4, true),
                  pg_catalog.set_config('request.path', $5, true),
                  pg_catalog.set_config('request.headers', $6, true),
                  pg_catalog.set_config('request.cookies', $7, true)`,
          [[schema, ...extraSearchPath].map(quoteIdent).join(', '), who.role, JSON.stringify(who.claims),
            method, url.pathname, JSON.stringify(headers), JSON.stringify(parseCookies(req.headers.cookie))]);
        if (preRequest) await client.query(`SELECT ${preRequest}()`);
        const r = await client.query(q.sql, q.params);
        const g = await client.query(
          `SELECT pg_catalog.current_setting('response.status', true) AS status,
                  pg_catalog.current_setting('response.headers', true) AS headers`);
        await client.query('COMMIT');

        let status = { scalar: 200, rows: 200, insert: 201, change: wantRows ? 200 : 204 }[q.kind];
        let out = r.rows[0]?.body ?? 'null';
        if ((q.kind === 'insert' || q.kind === 'change') && !wantRows) out = null;
        const extra = {};
        const gs = g.rows[0];
        if (gs.status && /^\d{3}$/.test(gs.status)) status = Number(gs.status);
        if (gs.headers) {
          try {
            for (const h of JSON.parse(gs.headers)) Object.assign(extra, h);
          } catch {
            throw new HttpError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
          }
        }
        if (status === 401 && !extra['WWW-Authenticate']) extra['WWW-Authenticate'] = 'Bearer';
        send(res, status, out, extra);
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    } catch (e) {
      if (e instanceof HttpError) {
        const headers = { ...e.headers };
        if (e.status === 401 && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'Bearer';
        send(res, e.status, JSON.stringify({ code: e.code, details: e.details, hint: e.hint, message: e.message }), headers);
      } else if (e && typeof e.code === 'string' && e.severity) {
        // An error from PostgreSQL.
        const status = httpStatusFor(e.code, who.authenticated);
        const headers = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
        send(res, status, JSON.stringify({ code: e.code, details: e.detail ?? null, hint: e.hint ?? null, message: e.message }), headers);
      } else {
        send(res, 503, JSON.stringify({ code: 'PGRST000', details: String(e && e.message), hint: null, message: 'Database client error' }), {});
      }
    } finally {
      if (client) client.release();
    }
  }

  function send(res, status, body, headers) {
    const h = { ...headers };
    if (body !== null) h['Content-Type'] = 'application/json; charset=utf-8';
    res.writeHead(status, h);
    res.end(body === null ? undefined : body);
  }

  const server = http.createServer((req, res) => { handle(req, res); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    server,
    pool,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

// Command line: node gateway.mjs --database DB [--user ROLE] [--anon-role ROLE]
if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const gw = await startGateway({
    database: opt('database', process.env.PGDATABASE || 'postgres'),
    user: opt('user', process.env.PGUSER || 'postgres'),
    anonRole: opt('anon-role', 'anon'),
  });
  console.log(`listening on ${gw.url}`);
  const stop = async () => { await gw.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
