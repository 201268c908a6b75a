// Shared setup of the accounts (area 40) HTTP suites: a database of their own
// with auth_ext and auth_ext_todo, PostgREST-style roles, and the gateway
// (test/gateway/gateway.mjs, a test double of PostgREST's protocol) in front.
//
// Roles (cluster-wide, prefixed t40_, created idempotently, dropped by
// teardown when no other database still uses them):
//   t40_authenticator  LOGIN NOINHERIT, what the gateway connects as
//   t40_anon           the anonymous role: may read tasks (RLS shows none)
//   t40_user           role claim of our tokens (accounts.token_role)
import pg from 'pg';
import { startGateway } from '../gateway/gateway.mjs';

export const ROLES = { authenticator: 't40_authenticator', anon: 't40_anon', user: 't40_user' };

export function admin(database = 'postgres') {
  return new pg.Client({ host: process.env.PGHOST, port: process.env.PGPORT, user: 'postgres', database });
}

export async function withAdmin(database, fn) {
  const c = admin(database);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// Creates database `name` ready for the todo app and starts a gateway on it.
// settings: extra auth.configure() calls, applied after the cheap Argon2
// parameters (hash cost is not what these suites measure).
export async function setup(name, settings = {}) {
  await withAdmin('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
    await c.query(`DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 't40_authenticator') THEN
          CREATE ROLE t40_authenticator LOGIN NOINHERIT;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 't40_anon') THEN
          CREATE ROLE t40_anon NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 't40_user') THEN
          CREATE ROLE t40_user NOLOGIN;
        END IF;
      END $$`);
    await c.query('GRANT t40_anon, t40_user TO t40_authenticator');
  });
  await withAdmin(name, async (c) => {
    await c.query('CREATE EXTENSION auth_ext');
    await c.query('CREATE EXTENSION auth_ext_todo');
    const all = {
      'password.argon2_memory_kib': '64',
      'password.argon2_iterations': '1',
      'accounts.token_role': ROLES.user,
      ...settings,
    };
    for (const [k, v] of Object.entries(all)) await c.query('SELECT auth.configure($1, $2)', [k, v]);
    // As docs/30_identity.md says: the app role gets the verbs, anonymous
    // only reads (and RLS gives it no rows); writes by anonymous are 401.
    await c.query(`GRANT SELECT ON todo.tasks TO ${ROLES.anon}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO ${ROLES.user}`);
  });
  const gw = await startGateway({
    database: name, user: ROLES.authenticator, anonRole: ROLES.anon, poolSize: 20,
  });
  const call = async (method, path, { body, token, headers = {} } = {}) => {
    const h = { ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (token) h.Authorization = `Bearer ${token}`;
    const res = await fetch(gw.url + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  };
  const sql = (text, params) => withAdmin(name, (c) => c.query(text, params));
  return { gw, call, sql, name };
}

export async function teardown(ctx) {
  if (!ctx) return;
  await ctx.gw.close();
  await withAdmin('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ctx.name} WITH (FORCE)`);
    // Roles go when no other database of the cluster still refers to them
    // (another t40 suite may be running on its own database).
    const others = await c.query(
      "SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 't40_%'");
    if (others.rows[0].n === 0) {
      try {
        await c.query('DROP ROLE IF EXISTS t40_authenticator, t40_anon, t40_user');
      } catch (e) {
        // still granted something in a database that is not ours: leave them
        if (e.code !== '2BP01') throw e;
      }
    }
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
