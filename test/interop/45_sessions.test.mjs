// plan: 16 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Sessions and refresh tokens (issue 16) over real HTTP, through the
// PostgREST-protocol gateway (test/gateway/gateway.mjs) and auth_ext_todo's
// /rpc/refresh, /rpc/sessions, /rpc/revoke_session; plus real concurrent
// connections (node pg) where the point is concurrency or another backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { ROLES, admin, setup, sleep, teardown } from './40_http_lib.mjs';

const DB = 't40_sessions';
const INVALID = '{"error": "Invalid or expired refresh token, please sign in again"}';
let ctx;

const signup = (who, headers = {}) => ctx.call('POST', '/rpc/signup', {
  body: { email: `${who}@sessions.test`, password: `password-${who}`, name: who }, headers });
const signin = (who, headers = {}) => ctx.call('POST', '/rpc/signin', {
  body: { email: `${who}@sessions.test`, password: `password-${who}` }, headers });
const refresh = (refreshToken) => ctx.call('POST', '/rpc/refresh', { body: { refresh_token: refreshToken } });
const sessions = (token) => ctx.call('POST', '/rpc/sessions', { body: {}, token });
const tasks = (token) => ctx.call('GET', '/tasks', { token });
const configure = (name, value) => ctx.sql('SELECT auth.configure($1, $2)', [name, value]);
const sid = (token) => jose.decodeJwt(token).sid;

before(async () => {
  ctx = await setup(DB);
  for (const who of ['ann', 'bob', 'cid', 'dee', 'eve', 'fay', 'gus', 'hal'])
    assert.equal((await signup(who)).status, 201);
});
after(async () => { await teardown(ctx); });

test('sign-in starts a session: refresh_token (256 bits), expires_in, a sid claim, the user-agent recorded', async () => {
  const r = await signin('ann', { 'User-Agent': 'T45Browser/1.0' });
  assert.equal(r.status, 200);
  assert.match(r.json.refresh_token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(r.json.expires_in, 604800);
  const claims = jose.decodeJwt(r.json.token);
  assert.equal(claims.exp - claims.iat, 604800);
  const list = await sessions(r.json.token);
  assert.equal(list.status, 200);
  const mine = list.json.find((s) => s.id === claims.sid);
  assert.equal(mine.user_agent, 'T45Browser/1.0');
  assert.equal(mine.aal, 'aal1');
  assert.equal(mine.current, true);
  const stored = await ctx.sql('SELECT count(*)::int AS n FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id WHERE s.id = $1 AND t.hash = sha256(decode(translate($2, \'-_\', \'+/\') || \'=\', \'base64\'))', [claims.sid, r.json.refresh_token]);
  assert.equal(stored.rows[0].n, 1, 'only the SHA-256 of the refresh token is stored');
});

test('rotation: a new access token and a new refresh token for the same session', async () => {
  const s = (await signin('bob')).json;
  const r = await refresh(s.refresh_token);
  assert.equal(r.status, 200);
  assert.notEqual(r.json.refresh_token, s.refresh_token);
  assert.notEqual(r.json.token, s.token);
  assert.equal(sid(r.json.token), sid(s.token));
  assert.equal(r.json.user.email, 'bob@sessions.test');
  assert.equal((await tasks(r.json.token)).status, 200);
  const again = await refresh(r.json.refresh_token);
  assert.equal(again.status, 200, 'the successor rotates in turn');
});

test('grace window: the rotated token presented again at once returns the same successor', async () => {
  const s = (await signin('cid')).json;
  const first = await refresh(s.refresh_token);
  const second = await refresh(s.refresh_token);
  assert.equal(second.status, 200);
  assert.equal(second.json.refresh_token, first.json.refresh_token);
  assert.equal(sid(second.json.token), sid(s.token));
});

test('reuse detection: a rotated token presented after the window ends the session, successor and access tokens included', async () => {
  await configure('accounts.refresh_reuse_interval_seconds', '0');
  try {
    const s = (await signin('dee')).json;
    const next = (await refresh(s.refresh_token)).json;
    await sleep(50);
    const reuse = await refresh(s.refresh_token);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.text, INVALID);
    const successor = await refresh(next.refresh_token);
    assert.equal(successor.status, 401, 'the successor stops working too');
    assert.equal(successor.text, INVALID);
    assert.equal((await tasks(next.token)).status, 401, 'and the access tokens of the session');
    assert.equal((await tasks(s.token)).status, 401);
  } finally {
    await configure('accounts.refresh_reuse_interval_seconds', '10');
  }
});

test('unknown, malformed and empty refresh tokens: the same 401 body', async () => {
  for (const bad of ['A'.repeat(43), 'not a token', '', null, 'A'.repeat(10000)]) {
    const r = await refresh(bad);
    assert.equal(r.status, 401, String(bad).slice(0, 20));
    assert.equal(r.text, INVALID);
  }
});

test('20 concurrent refreshes of one token on 20 connections end with exactly one live chain', async () => {
  const s = (await signin('eve')).json;
  const clients = Array.from({ length: 20 }, () => admin(DB));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const results = await Promise.all(clients.map((c) =>
      c.query('SELECT auth.refresh($1) AS r', [s.refresh_token]).then((q) => q.rows[0].r)));
    const successors = new Set(results.map((r) => r.refresh_token));
    assert.equal(successors.size, 1, `one successor for all 20: ${[...successors].join(', ')}`);
    assert.ok(!successors.has(undefined));
    const live = await ctx.sql(
      'SELECT count(*) FILTER (WHERE rotated_at IS NULL)::int AS live, count(*)::int AS total FROM auth.refresh_tokens WHERE session_id = $1',
      [sid(s.token)]);
    assert.deepEqual(live.rows[0], { live: 1, total: 2 });
    const next = await refresh([...successors][0]);
    assert.equal(next.status, 200, 'and that chain goes on');
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
});

test('idle expiry: a session not refreshed within accounts.session_idle_seconds ends', async () => {
  await configure('accounts.session_idle_seconds', '1');
  try {
    const s = (await signin('fay')).json;
    await sleep(2100);
    const r = await refresh(s.refresh_token);
    assert.equal(r.status, 401);
    assert.equal(r.text, INVALID);
    const left = await ctx.sql('SELECT count(*)::int AS n FROM auth.sessions WHERE id = $1', [sid(s.token)]);
    assert.equal(left.rows[0].n, 0, 'the expired session was ended');
  } finally {
    await configure('accounts.session_idle_seconds', '2592000');
  }
});

test('absolute expiry: accounts.session_max_seconds bounds a session, refreshed or not, and its access tokens', async () => {
  await configure('accounts.session_max_seconds', '2');
  try {
    const s = (await signin('fay')).json;
    assert.ok(s.expires_in <= 2, `expires_in ${s.expires_in} capped by the session's end`);
    const r = await refresh(s.refresh_token);
    assert.equal(r.status, 200);
    await sleep(2100);
    const late = await refresh(r.json.refresh_token);
    assert.equal(late.status, 401);
    assert.equal(late.text, INVALID);
  } finally {
    await configure('accounts.session_max_seconds', '0');
  }
});

test('accounts.access_token_seconds shortens access tokens', async () => {
  await configure('accounts.access_token_seconds', '900');
  try {
    const s = (await signin('gus')).json;
    assert.equal(s.expires_in, 900);
    const claims = jose.decodeJwt(s.token);
    assert.equal(claims.exp - claims.iat, 900);
    const r = (await refresh(s.refresh_token)).json;
    assert.equal(r.expires_in, 900);
  } finally {
    await configure('accounts.access_token_seconds', '604800');
  }
});

test('a revoked session\'s access token, cached by another backend, is refused there at once', async () => {
  const s = (await signin('hal')).json;
  const other = (await signin('hal')).json;
  const A = admin(DB);
  await A.connect();
  try {
    const verify = () => A.query('SELECT auth.jwt_verify($1)->>\'sid\' AS sid', [s.token]);
    for (let i = 0; i < 3; i++) assert.equal((await verify()).rows[0].sid, sid(s.token));
    const r = await ctx.call('POST', '/rpc/revoke_session', { body: { id: sid(s.token) }, token: other.token });
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"message": "Session revoked"}');
    await assert.rejects(verify(), { code: 'PT401', message: 'Token has been revoked, please log in again' });
    assert.equal((await refresh(s.refresh_token)).status, 401, 'its refresh token is dead too');
    assert.equal((await tasks(other.token)).status, 200, 'the other session lives on');
  } finally {
    await A.end();
  }
});

test('sessions are invisible and unrevocable across users (functions, HTTP and direct SQL)', async () => {
  const ann = (await signin('ann')).json;
  const bob = (await signin('bob')).json;
  const bobs = await sessions(bob.token);
  assert.ok(!bobs.json.some((s) => s.id === sid(ann.token)), 'bob does not see ann\'s session');
  const r = await ctx.call('POST', '/rpc/revoke_session', { body: { id: sid(ann.token) }, token: bob.token });
  assert.equal(r.status, 404);
  assert.equal(r.text, '{"error": "Session not found"}');
  assert.equal((await tasks(ann.token)).status, 200, 'ann\'s session still works');
  assert.equal((await refresh(ann.refresh_token)).status, 200);
  const c = admin(DB);
  await c.connect();
  try {
    await c.query(`SET ROLE ${ROLES.user}`);
    for (const q of ['SELECT * FROM auth.sessions', 'SELECT * FROM auth.refresh_tokens',
      `DELETE FROM auth.sessions WHERE id = '${sid(ann.token)}'`])
      await assert.rejects(c.query(q), { code: '42501' }, q);
    await assert.rejects(c.query('SELECT auth._end_sessions($1::uuid)', [ann.user.id]), { code: '42501' });
    await assert.rejects(c.query('SELECT auth._current_session()'), { code: '42501' });
  } finally {
    await c.end();
  }
});

test('without a token: sessions and revoke_session answer 401', async () => {
  const list = await ctx.call('POST', '/rpc/sessions', { body: {} });
  assert.equal(list.status, 401);
  assert.equal(list.text, '{"error": "Not signed in"}');
  const rv = await ctx.call('POST', '/rpc/revoke_session', { body: { id: '00000000-0000-0000-0000-000000000000' } });
  assert.equal(rv.status, 401);
});

test('sign-out ends the current session only; sign-out everywhere ends them all', async () => {
  const one = (await signin('cid')).json;
  const two = (await signin('cid')).json;
  const three = (await signin('cid')).json;
  assert.equal((await ctx.call('POST', '/rpc/signout', { token: one.token })).status, 200);
  assert.equal((await tasks(one.token)).status, 401);
  assert.equal((await refresh(one.refresh_token)).status, 401);
  const left = (await sessions(two.token)).json.map((s) => s.id);
  assert.ok(!left.includes(sid(one.token)) && left.includes(sid(two.token)) && left.includes(sid(three.token)));
  assert.equal((await tasks(two.token)).status, 200);
  assert.equal((await ctx.call('POST', '/rpc/signout_everywhere', { token: two.token })).status, 200);
  assert.equal((await refresh(three.refresh_token)).status, 401);
  assert.equal((await tasks(three.token)).status, 401);
});

test('a token without sid (jwt_sign) keeps working and marks no session current', async () => {
  const user = (await ctx.sql('SELECT id FROM auth.users WHERE email = $1', ['gus@sessions.test'])).rows[0].id;
  const plain = (await ctx.sql('SELECT auth.jwt_sign(jsonb_build_object(\'sub\', $1::text, \'role\', $2::text)) AS t', [user, ROLES.user])).rows[0].t;
  await signin('gus');
  assert.equal((await tasks(plain)).status, 200);
  const list = await sessions(plain);
  assert.equal(list.status, 200);
  assert.ok(list.json.length >= 1);
  assert.ok(list.json.every((s) => s.current === false));
});

test('auth._end_sessions keeps the session it is told to keep and counts the others', async () => {
  const a = (await signin('dee')).json;
  const b = (await signin('dee')).json;
  const user = a.user.id;
  const n = await ctx.sql('SELECT auth._end_sessions($1::uuid, $2::uuid) AS n', [user, sid(a.token)]);
  assert.ok(n.rows[0].n >= 1);
  assert.equal((await tasks(a.token)).status, 200);
  assert.equal((await tasks(b.token)).status, 401);
  assert.equal((await ctx.sql('SELECT auth._end_sessions($1::uuid) AS n', [user])).rows[0].n, 1);
  assert.equal((await tasks(a.token)).status, 401);
});

test('a refresh over GET (a READ ONLY transaction) is refused with 25006, the token left unrotated', async () => {
  const s = (await signin('ann')).json;
  const r = await ctx.call('GET', `/rpc/refresh?refresh_token=${encodeURIComponent(s.refresh_token)}`);
  assert.equal(r.status, 405);
  assert.equal(r.json.code, '25006');
  assert.equal(r.json.message, 'cannot refresh a session in a read-only transaction');
  assert.equal((await refresh(s.refresh_token)).status, 200, 'the same token then rotates by POST');
});
