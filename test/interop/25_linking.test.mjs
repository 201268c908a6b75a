// plan: 8 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Linking external users to local rows (issue 15, item 3), live with the real
// `jose` playing two providers (Clerk: ES256, Auth0: RS256) and the real
// todo app (todo.tasks under RLS, as an application role):
//   - the same person signing in through both providers, linked by the owner
//     to one local user, reads the same tasks; unlinked, they do not;
//   - a link or unlink counts at once in another backend that had cached the
//     old answer (and an uncommitted one does not);
//   - "provision": true creates exactly one local user for a new subject,
//     even under concurrent first requests, never reusing an existing
//     account with the same email; a read-only transaction verifies the
//     token without creating anything (auth.uid() NULL);
//   - an unlinked subject's auth.user_id() isolates a text owner column;
//   - application roles can neither read nor write auth.identities nor call
//     the link functions (42501).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import pg from 'pg';
import { admin, conn, freshDatabase, one as first } from './20_lib.mjs';

const DB = 't25_linking';
const APP = 't25_app';
let db; // the owner (superuser)
let other; // a second backend
const one = (sql, params = []) => first(db, sql, params);

const P = {
  clerk: { iss: 'https://clerk.linking.example', alg: 'ES256', kid: 'clerk-1' },
  auth0: { iss: 'https://linking.eu.auth0.com/', alg: 'RS256', kid: 'auth0-1' },
  fresh: { iss: 'https://provision.linking.example', alg: 'EdDSA', kid: 'fresh-1', options: { provision: true } },
};

async function sign(p, claims) {
  return new jose.SignJWT({ iss: p.iss, ...claims })
    .setProtectedHeader({ alg: p.alg, kid: p.kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(p.key.privateKey);
}

// runs sql as the application role with token's identity, in one transaction
async function as(token, sql, params = [], { c = db, readOnly = false } = {}) {
  await c.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    await c.query(`SET LOCAL ROLE ${APP}`);
    await c.query('SELECT auth.jwt_verify($1)', [token]);
    const { rows } = await c.query(sql, params);
    await c.query('COMMIT');
    return rows;
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  }
}
const who = async (token, opts) =>
  (await as(token, 'SELECT auth.uid() AS uid, auth.user_id() AS user_id', [], opts))[0];
const titles = async (token, opts) =>
  (await as(token, 'SELECT title FROM todo.tasks ORDER BY title', [], opts)).map((r) => r.title);

before(async () => {
  db = await freshDatabase(DB);
  await db.query('CREATE EXTENSION auth_ext_todo');
  await admin(`DO $$ BEGIN CREATE ROLE ${APP} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO ${APP}`);
  for (const p of Object.values(P)) {
    p.key = await jose.generateKeyPair(p.alg, { extractable: true });
    const jwk = { ...(await jose.exportJWK(p.key.publicKey)), kid: p.kid, alg: p.alg, use: 'sig' };
    await db.query('SELECT auth.trust_issuer($1, $2, NULL, $3)', [p.iss, { keys: [jwk] }, p.options ?? {}]);
  }
  other = new pg.Client(conn(DB));
  await other.connect();
});

after(async () => {
  await db?.end();
  await other?.end();
  await admin(`DROP DATABASE IF EXISTS ${DB}`, `DROP ROLE IF EXISTS ${APP}`);
});

test('one person through two providers, linked by the owner, reads the same tasks; unlinked, not', async () => {
  const viaClerk = await sign(P.clerk, { sub: 'user_2Pat' });
  const viaAuth0 = await sign(P.auth0, { sub: 'auth0|pat' });
  // unlinked: the providers' subjects, no local user, no task can be theirs
  assert.deepEqual(await who(viaClerk), { uid: null, user_id: 'user_2Pat' });
  await assert.rejects(as(viaClerk, `INSERT INTO todo.tasks (title) VALUES ('x')`),
    (e) => e.code === '42501' && /row-level security/.test(e.message));

  const pat = await one(`INSERT INTO auth.users (email, name) VALUES ('pat@linking.example', 'Pat') RETURNING id`);
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.clerk.iss, 'user_2Pat', pat]);
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.auth0.iss, 'auth0|pat', pat]);
  assert.deepEqual(await who(viaClerk), { uid: pat, user_id: pat });
  assert.deepEqual(await who(viaAuth0), { uid: pat, user_id: pat });
  await as(viaClerk, `INSERT INTO todo.tasks (title) VALUES ('written via clerk')`);
  await as(viaAuth0, `INSERT INTO todo.tasks (title) VALUES ('written via auth0')`);
  assert.deepEqual(await titles(viaAuth0), ['written via auth0', 'written via clerk']);
  assert.deepEqual(await titles(viaClerk), ['written via auth0', 'written via clerk']);
  // linking again to the same user is a no-op, to another user refused
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.clerk.iss, 'user_2Pat', pat]);
  const sam = await one(`INSERT INTO auth.users (email, name) VALUES ('sam@linking.example', 'Sam') RETURNING id`);
  await assert.rejects(db.query('SELECT auth.link_identity($1, $2, $3)', [P.clerk.iss, 'user_2Pat', sam]),
    (e) => e.code === '23505' && /linked to another user/.test(e.message));

  assert.equal(await one('SELECT auth.unlink_identity($1, $2)', [P.auth0.iss, 'auth0|pat']), pat);
  assert.deepEqual(await who(viaAuth0), { uid: null, user_id: 'auth0|pat' });
  assert.deepEqual(await titles(viaAuth0), []);
  assert.deepEqual(await titles(viaClerk), ['written via auth0', 'written via clerk']);
  // unknown issuer, user or link: 42704
  for (const [sql, params] of [
    ['SELECT auth.link_identity($1, $2, $3)', ['https://nobody.example', 's', pat]],
    ['SELECT auth.link_identity($1, $2, $3)', [P.clerk.iss, 's', '00000000-0000-4000-8000-000000000000']],
    ['SELECT auth.unlink_identity($1, $2)', [P.auth0.iss, 'auth0|pat']],
  ]) await assert.rejects(db.query(sql, params), (e) => e.code === '42704');
});

test('a link or unlink counts at once in another backend that cached the old answer', async () => {
  const token = await sign(P.auth0, { sub: 'auth0|kim' });
  const kim = await one(`INSERT INTO auth.users (email, name) VALUES ('kim@linking.example', 'Kim') RETURNING id`);
  assert.equal((await who(token, { c: other })).uid, null);
  assert.equal((await who(token, { c: other })).uid, null); // the answer is cached in `other`
  // uncommitted: not seen
  await db.query('BEGIN');
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.auth0.iss, 'auth0|kim', kim]);
  assert.equal((await who(token, { c: other })).uid, null);
  await db.query('COMMIT');
  assert.equal((await who(token, { c: other })).uid, kim);
  assert.equal((await who(token, { c: other })).uid, kim);
  await db.query('SELECT auth.unlink_identity($1, $2)', [P.auth0.iss, 'auth0|kim']);
  assert.deepEqual(await who(token, { c: other }), { uid: null, user_id: 'auth0|kim' });
  // deleting the user removes its links (ON DELETE CASCADE), seen at once too
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.auth0.iss, 'auth0|kim', kim]);
  assert.equal((await who(token, { c: other })).uid, kim);
  await db.query('DELETE FROM auth.users WHERE id = $1', [kim]);
  assert.equal(await one('SELECT count(*)::int FROM auth.identities WHERE user_id = $1', [kim]), 0);
  assert.equal((await who(token, { c: other })).uid, null);
});

test('provision: the first token creates one local user, stable across requests and backends', async () => {
  const token = await sign(P.fresh, { sub: 'fresh-ann', email: 'Ann@Linking.example', email_verified: true, name: 'Ann' });
  const first = await who(token, { c: other });
  assert.match(first.uid, /^[0-9a-f-]{36}$/);
  assert.equal(first.user_id, first.uid);
  assert.deepEqual(await who(token), first);
  assert.deepEqual(await who(await sign(P.fresh, { sub: 'fresh-ann' })), first, 'a later token of the same subject');
  const user = (await db.query('SELECT email, name, password_hash FROM auth.users WHERE id = $1', [first.uid])).rows[0];
  assert.deepEqual(user, { email: 'ann@linking.example', name: 'Ann', password_hash: null });
  // the new user can use the app at once
  await as(token, `INSERT INTO todo.tasks (title) VALUES ('ann''s')`);
  assert.deepEqual(await titles(token, { c: other }), ["ann's"]);
  // and cannot sign in with a password
  const signin = await one(`SELECT auth.signin('ann@linking.example', '')`);
  assert.ok(signin.error, 'no password: sign-in fails');
});

test('provision never links to an existing account by email, nor trusts an unverified email', async () => {
  const alice = await one(`INSERT INTO auth.users (email, name) VALUES ('alice@linking.example', 'Alice') RETURNING id`);
  await db.query(`INSERT INTO todo.tasks (user_id, title) VALUES ($1, 'alice''s secret')`, [alice]);
  const attacker = await sign(P.fresh, { sub: 'mallory', email: 'alice@linking.example', email_verified: true });
  const id = await who(attacker);
  assert.notEqual(id.uid, alice);
  assert.equal(await one('SELECT email FROM auth.users WHERE id = $1', [id.uid]), `${id.uid}@external.invalid`);
  assert.deepEqual(await titles(attacker), []);
  const unverified = await who(await sign(P.fresh, { sub: 'unverified', email: 'bob@linking.example' }));
  assert.equal(await one('SELECT email FROM auth.users WHERE id = $1', [unverified.uid]), `${unverified.uid}@external.invalid`);
  assert.equal(await one(`SELECT count(*)::int FROM auth.users WHERE email = 'bob@linking.example'`), 0);
});

test('provision under concurrent first requests: exactly one user', async () => {
  const token = await sign(P.fresh, { sub: 'fresh-race', email: 'race@linking.example', email_verified: true });
  const clients = await Promise.all(Array.from({ length: 8 }, async () => {
    const c = new pg.Client(conn(DB));
    await c.connect();
    return c;
  }));
  try {
    // every client inside its transaction with the token verified, none committed yet
    await Promise.all(clients.map((c) => c.query('BEGIN').then(() => c.query(`SET LOCAL ROLE ${APP}`))));
    const verified = clients.map((c) => c.query('SELECT auth.jwt_verify($1)', [token])
      .then(() => c.query('SELECT auth.uid() AS uid')));
    // all but the first block on its uncommitted link: commit as they come
    const uids = await Promise.all(verified.map(async (q, i) => {
      const { rows } = await q;
      await clients[i].query('COMMIT');
      return rows[0].uid;
    }));
    assert.equal(new Set(uids).size, 1, `one uid for all: ${[...new Set(uids)]}`);
    assert.match(uids[0], /^[0-9a-f-]{36}$/);
    assert.equal(await one(`SELECT count(*)::int FROM auth.identities WHERE subject = 'fresh-race'`), 1);
    assert.equal(await one(`SELECT count(*)::int FROM auth.users WHERE email = 'race@linking.example'`), 1);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
});

test('read-only transaction: an unprovisioned subject verifies unlinked, nothing is written', async () => {
  const token = await sign(P.fresh, { sub: 'fresh-reader' });
  assert.deepEqual(await who(token, { readOnly: true }), { uid: null, user_id: 'fresh-reader' });
  assert.deepEqual(await who(token, { c: other, readOnly: true }), { uid: null, user_id: 'fresh-reader' });
  assert.equal(await one(`SELECT count(*)::int FROM auth.identities WHERE subject = 'fresh-reader'`), 0);
  // the first transaction that can write provisions; read-only ones then see the link
  const rw = await who(token, { c: other });
  assert.match(rw.uid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(await who(token, { c: other, readOnly: true }), rw);
  assert.deepEqual(await who(token, { readOnly: true }), rw);
});

test('unlinked subjects: auth.user_id() isolates a text owner column', async () => {
  await db.query(`CREATE TABLE public.notes (id serial PRIMARY KEY, owner text NOT NULL DEFAULT auth.user_id(), body text)`);
  await db.query(`SELECT auth.enable_user_isolation('public.notes', 'owner')`);
  await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON public.notes TO ${APP}; GRANT USAGE ON SEQUENCE public.notes_id_seq TO ${APP}`);
  const a = await sign(P.clerk, { sub: 'user_text_a' });
  const b = await sign(P.auth0, { sub: 'auth0|text_b' });
  await as(a, `INSERT INTO public.notes (body) VALUES ('a''s note')`);
  await as(b, `INSERT INTO public.notes (body) VALUES ('b''s note')`);
  assert.deepEqual(await as(a, 'SELECT owner, body FROM public.notes'), [{ owner: 'user_text_a', body: "a's note" }]);
  assert.deepEqual(await as(b, 'SELECT owner, body FROM public.notes'), [{ owner: 'auth0|text_b', body: "b's note" }]);
  await assert.rejects(as(a, `INSERT INTO public.notes (owner, body) VALUES ('auth0|text_b', 'forged')`),
    (e) => e.code === '42501');
  assert.equal((await as(b, `UPDATE public.notes SET body = 'x' WHERE owner = 'user_text_a' RETURNING id`)).length, 0);
});

test('application roles cannot read or write auth.identities nor call the link functions', async () => {
  const token = await sign(P.clerk, { sub: 'user_2Lee' });
  const pat = await one(`INSERT INTO auth.users (email, name) VALUES ('lee@linking.example', 'Lee') RETURNING id`);
  await db.query('SELECT auth.link_identity($1, $2, $3)', [P.clerk.iss, 'user_2Lee', pat]);
  for (const sql of [
    'SELECT * FROM auth.identities',
    `INSERT INTO auth.identities (issuer, subject, user_id) VALUES ('${P.auth0.iss}', 'auth0|me', '${pat}')`,
    `UPDATE auth.identities SET user_id = user_id`,
    'DELETE FROM auth.identities',
    `SELECT auth.link_identity('${P.auth0.iss}', 'auth0|me', '${pat}')`,
    `SELECT auth.unlink_identity('${P.clerk.iss}', 'user_2Lee')`,
    `SELECT auth._provision_identity('${P.auth0.iss}', 'auth0|me', '{}')`,
  ]) await assert.rejects(as(token, sql), (e) => e.code === '42501', sql);
  // even with EXECUTE granted, the owner's privileges are required
  await db.query(`GRANT EXECUTE ON FUNCTION auth.link_identity(text, text, uuid), auth._provision_identity(text, text, jsonb) TO ${APP}`);
  await assert.rejects(as(token, `SELECT auth.link_identity('${P.auth0.iss}', 'auth0|me', '${pat}')`), (e) => e.code === '42501');
  await assert.rejects(as(token, `SELECT auth._provision_identity('${P.auth0.iss}', 'auth0|me', '{}')`), (e) => e.code === '42501');
  await db.query(`REVOKE EXECUTE ON FUNCTION auth.link_identity(text, text, uuid), auth._provision_identity(text, text, jsonb) FROM ${APP}`);
  assert.equal(await one(`SELECT count(*)::int FROM auth.identities WHERE subject = 'auth0|me'`), 0);
  assert.equal(await one(`SELECT user_id FROM auth.identities WHERE subject = 'user_2Lee'`), pat);
});
