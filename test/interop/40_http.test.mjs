// plan: 38 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Accounts over HTTP (area 40): every case of the todo app's account
// contract, and its user stories, end to end through the PostgREST-protocol
// gateway (test/gateway/gateway.mjs) against the real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { ROLES, setup, sleep, teardown } from './40_http_lib.mjs';

let ctx;
before(async () => { ctx = await setup('t40_http'); });
after(async () => { await teardown(ctx); });

const err = (message) => `{"error": "${message}"}`;
const call = (...a) => ctx.call(...a);
const signup = (body) => call('POST', '/rpc/signup', { body });
const signin = (body) => call('POST', '/rpc/signin', { body });

describe('sign-up contract', () => {
  test('success: 201, {"user":{id,email,name},"token","refresh_token","expires_in"}, email lowercased, name trimmed', async () => {
    const r = await signup({ email: 'Ann.Lee@Example.COM', password: 'password-ann', name: '  Ann Lee  ' });
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.json).sort(), ['expires_in', 'refresh_token', 'token', 'user']);
    assert.deepEqual(Object.keys(r.json.user).sort(), ['email', 'id', 'name']);
    assert.equal(r.json.user.email, 'ann.lee@example.com');
    assert.equal(r.json.user.name, 'Ann Lee');
    assert.match(r.json.user.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(r.headers.get('content-type'), /^application\/json/);
  });

  test('the token verifies with jose against auth.jwks() and carries the contract claims', async () => {
    const r = await signup({ email: 'claims@example.com', password: 'password-cl', name: 'Claims' });
    assert.equal(r.status, 201);
    const jwks = (await ctx.sql('SELECT auth.jwks() AS j')).rows[0].j;
    const { payload } = await jose.jwtVerify(r.json.token, jose.createLocalJWKSet(jwks));
    for (const k of ['sub', 'user_id', 'email', 'name', 'iat', 'exp', 'jti', 'role']) assert.ok(k in payload, k);
    assert.equal(payload.sub, r.json.user.id);
    assert.equal(payload.user_id, r.json.user.id);
    assert.equal(payload.email, 'claims@example.com');
    assert.equal(payload.name, 'Claims');
    assert.equal(payload.role, ROLES.user, 'role claim comes from accounts.token_role');
    assert.equal(payload.exp - payload.iat, 7 * 24 * 3600, 'tokens live 7 days by default');
  });

  const cases = [
    ['missing name', { email: 'n1@example.com', password: 'password-1' }, 'Name is required'],
    ['blank name', { email: 'n1@example.com', password: 'password-1', name: '   ' }, 'Name is required'],
    ['name of 101 characters', { email: 'n1@example.com', password: 'password-1', name: 'x'.repeat(101) }, 'Name must be 100 characters or less'],
    ['email without domain', { email: 'not-an-email', password: 'password-1', name: 'N' }, 'Please enter a valid email'],
    ['missing email', { password: 'password-1', name: 'N' }, 'Please enter a valid email'],
    ['email over 254 bytes', { email: 'a'.repeat(250) + '@example.com', password: 'password-1', name: 'N' }, 'Please enter a valid email'],
    ['password of 7 characters', { email: 'n1@example.com', password: '1234567', name: 'N' }, 'Password must be at least 8 characters'],
    ['missing password', { email: 'n1@example.com', name: 'N' }, 'Password must be at least 8 characters'],
    ['order: name before email and password', { email: 'bad', password: 'x', name: '' }, 'Name is required'],
    ['order: email before password', { email: 'bad', password: 'x', name: 'N' }, 'Please enter a valid email'],
  ];
  for (const [what, body, message] of cases) {
    test(`${what} -> 400 ${message}`, async () => {
      const r = await signup(body);
      assert.equal(r.status, 400);
      assert.equal(r.text, err(message));
    });
  }

  test('a name of exactly 100 characters is accepted', async () => {
    const r = await signup({ email: 'hundred@example.com', password: 'password-1', name: 'y'.repeat(100) });
    assert.equal(r.status, 201);
  });

  test('same email in another case -> 400 Email already registered', async () => {
    assert.equal((await signup({ email: 'dup@example.com', password: 'password-1', name: 'D' })).status, 201);
    const r = await signup({ email: 'DUP@Example.com', password: 'password-2', name: 'D2' });
    assert.equal(r.status, 400);
    assert.equal(r.text, err('Email already registered'));
  });
});

describe('sign-in contract', () => {
  before(async () => {
    await signup({ email: 'sam@example.com', password: 'password-sam', name: 'Sam' });
  });

  test('success: 200 with the user and a token', async () => {
    const r = await signin({ email: 'sam@example.com', password: 'password-sam' });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.email, 'sam@example.com');
    assert.equal(r.json.user.name, 'Sam');
    assert.equal(typeof r.json.token, 'string');
  });

  test('email is case-insensitive', async () => {
    const r = await signin({ email: '  SAM@Example.Com ', password: 'password-sam' });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.email, 'sam@example.com');
  });

  test('missing email -> 400 Email is required', async () => {
    const r = await signin({ password: 'password-sam' });
    assert.equal(r.status, 400);
    assert.equal(r.text, err('Email is required'));
  });

  test('missing password -> 400 Password is required (email checked first)', async () => {
    const r = await signin({ email: 'sam@example.com', password: '' });
    assert.equal(r.status, 400);
    assert.equal(r.text, err('Password is required'));
    const both = await signin({});
    assert.equal(both.text, err('Email is required'));
  });

  test('wrong password and unknown email -> 400 Invalid email or password, byte-identical', async () => {
    const wrong = await signin({ email: 'sam@example.com', password: 'password-wrong' });
    const unknown = await signin({ email: 'nobody@example.com', password: 'password-sam' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.text, err('Invalid email or password'));
    assert.equal(unknown.status, wrong.status);
    assert.ok(Buffer.from(unknown.text).equals(Buffer.from(wrong.text)));
    assert.equal(unknown.headers.get('content-type'), wrong.headers.get('content-type'));
  });
});

describe('sign-out and revocation', () => {
  let token;
  before(async () => {
    await signup({ email: 'otto@example.com', password: 'password-otto', name: 'Otto' });
    token = (await signin({ email: 'otto@example.com', password: 'password-otto' })).json.token;
  });

  test('the token works before sign-out', async () => {
    const r = await call('GET', '/tasks', { token });
    assert.equal(r.status, 200);
    assert.equal(r.text, '[]');
  });

  test('sign-out with a token -> 200 and that token is refused with 401 afterwards', async () => {
    const out = await call('POST', '/rpc/signout', { token });
    assert.equal(out.status, 200);
    assert.equal(out.text, '{"message": "Signed out successfully"}');
    const r = await call('GET', '/tasks', { token });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'PT401');
    assert.equal(r.json.message, 'Token has been revoked, please log in again');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  });

  test('sign-out revokes only that token: a second session of the user still works', async () => {
    const t2 = (await signin({ email: 'otto@example.com', password: 'password-otto' })).json.token;
    assert.equal((await call('GET', '/tasks', { token: t2 })).status, 200);
  });

  test('sign-out without a token -> 200 all the same', async () => {
    const r = await call('POST', '/rpc/signout');
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"message": "Signed out successfully"}');
  });

  test('sign-out everywhere revokes every earlier token of the user, not later ones', async () => {
    await signup({ email: 'eve@example.com', password: 'password-eve', name: 'Eve' });
    const a = (await signin({ email: 'eve@example.com', password: 'password-eve' })).json.token;
    const b = (await signin({ email: 'eve@example.com', password: 'password-eve' })).json.token;
    const other = (await signin({ email: 'otto@example.com', password: 'password-otto' })).json.token;
    const r = await call('POST', '/rpc/signout_everywhere', { token: a });
    assert.equal(r.status, 200);
    assert.equal((await call('GET', '/tasks', { token: a })).status, 401);
    assert.equal((await call('GET', '/tasks', { token: b })).status, 401);
    assert.equal((await call('GET', '/tasks', { token: other })).status, 200, 'other users are not affected');
    // iat has whole seconds: tokens of the same second are revoked too.
    await sleep(1100);
    const c = (await signin({ email: 'eve@example.com', password: 'password-eve' })).json.token;
    assert.equal((await call('GET', '/tasks', { token: c })).status, 200, 'a later sign-in works');
  });

  test('sign-out everywhere without a token -> 401', async () => {
    const r = await call('POST', '/rpc/signout_everywhere');
    assert.equal(r.status, 401);
    assert.equal(r.text, err('Not signed in'));
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  });
});

describe('the todo app over HTTP', () => {
  let A, B, taskA, taskB;
  before(async () => {
    A = (await signup({ email: 'alice@todo.test', password: 'password-alice', name: 'Alice' })).json;
    B = (await signup({ email: 'bob@todo.test', password: 'password-bob', name: 'Bob' })).json;
  });
  const rep = { Prefer: 'return=representation' };

  test('A and B each create tasks; user_id is the caller', async () => {
    const ra = await call('POST', '/tasks', { token: A.token, headers: rep, body: { title: '  Buy milk ', description: 'two litres' } });
    assert.equal(ra.status, 201);
    assert.equal(ra.json.length, 1);
    taskA = ra.json[0];
    assert.equal(taskA.user_id, A.user.id);
    assert.equal(taskA.title, 'Buy milk');
    assert.equal(taskA.completed, false);
    const rb = await call('POST', '/tasks', { token: B.token, headers: rep, body: [{ title: 'Walk dog' }, { title: 'Call mum' }] });
    assert.equal(rb.status, 201);
    assert.equal(rb.json.length, 2);
    taskB = rb.json[0];
    assert.ok(rb.json.every((t) => t.user_id === B.user.id));
    const plain = await call('POST', '/tasks', { token: A.token, body: { title: 'Second' } });
    assert.equal(plain.status, 201);
    assert.equal(plain.text, '', 'no representation unless asked for');
  });

  test('each sees only their own tasks', async () => {
    const la = await call('GET', '/tasks', { token: A.token });
    assert.equal(la.status, 200);
    assert.deepEqual(la.json.map((t) => t.title), ['Buy milk', 'Second']);
    const lb = await call('GET', '/tasks', { token: B.token });
    assert.deepEqual(lb.json.map((t) => t.title), ['Walk dog', 'Call mum']);
  });

  test("A cannot read B's task by id: empty result", async () => {
    const r = await call('GET', `/tasks?id=eq.${taskB.id}`, { token: A.token });
    assert.equal(r.status, 200);
    assert.equal(r.text, '[]');
    const own = await call('GET', `/tasks?id=eq.${taskA.id}`, { token: A.token });
    assert.equal(own.json.length, 1);
  });

  test("A cannot update or complete B's task: no row, B's task unchanged", async () => {
    const u = await call('PATCH', `/tasks?id=eq.${taskB.id}`, { token: A.token, headers: rep, body: { title: 'pwned', completed: true } });
    assert.equal(u.status, 200);
    assert.equal(u.text, '[]');
    const u2 = await call('PATCH', `/tasks?id=eq.${taskB.id}`, { token: A.token, body: { completed: true } });
    assert.equal(u2.status, 204);
    const seen = await call('GET', `/tasks?id=eq.${taskB.id}`, { token: B.token });
    assert.equal(seen.json[0].title, 'Walk dog');
    assert.equal(seen.json[0].completed, false);
  });

  test("A cannot delete B's task", async () => {
    const d = await call('DELETE', `/tasks?id=eq.${taskB.id}`, { token: A.token, headers: rep });
    assert.equal(d.status, 200);
    assert.equal(d.text, '[]');
    assert.equal((await call('GET', `/tasks?id=eq.${taskB.id}`, { token: B.token })).json.length, 1);
  });

  test('A cannot create a task as B: 403 (42501)', async () => {
    const r = await call('POST', '/tasks', { token: A.token, body: { title: 'sneaky', user_id: B.user.id } });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, '42501');
  });

  test('A updates, completes and deletes her own task', async () => {
    const u = await call('PATCH', `/tasks?id=eq.${taskA.id}`, { token: A.token, headers: rep, body: { completed: true } });
    assert.equal(u.status, 200);
    assert.equal(u.json[0].completed, true);
    const d = await call('DELETE', `/tasks?id=eq.${taskA.id}`, { token: A.token });
    assert.equal(d.status, 204);
    assert.equal((await call('GET', `/tasks?id=eq.${taskA.id}`, { token: A.token })).text, '[]');
  });

  test('a bad title is a clean 400 (23514)', async () => {
    const r = await call('POST', '/tasks', { token: A.token, body: { title: 'x'.repeat(201) } });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, '23514');
  });

  test('anonymous: reads nothing, every write is 401 with WWW-Authenticate', async () => {
    const g = await call('GET', '/tasks');
    assert.equal(g.status, 200);
    assert.equal(g.text, '[]');
    for (const [method, path, body] of [
      ['POST', '/tasks', { title: 'anon task' }],
      ['PATCH', `/tasks?id=eq.${taskB.id}`, { completed: true }],
      ['DELETE', `/tasks?id=eq.${taskB.id}`, undefined],
    ]) {
      const r = await call(method, path, { body });
      assert.equal(r.status, 401, method);
      assert.equal(r.json.code, '42501', method);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer', method);
    }
    assert.equal((await call('GET', `/tasks?id=eq.${taskB.id}`, { token: B.token })).json.length, 1);
  });

  test('an expired token -> 401 Token expired, please log in again', async () => {
    const expired = (await ctx.sql(
      `SELECT auth.jwt_sign(pg_catalog.jsonb_build_object('sub', $1::text, 'role', $2::text,
         'iat', pg_catalog.floor(pg_catalog.date_part('epoch', now())) - 7200,
         'exp', pg_catalog.floor(pg_catalog.date_part('epoch', now())) - 3600)) AS t`,
      [A.user.id, ROLES.user])).rows[0].t;
    const r = await call('GET', '/tasks', { token: expired });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'PT401');
    assert.equal(r.json.message, 'Token expired, please log in again');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  });

  test('a token with a forged signature -> 401 at the gateway', async () => {
    const [h, p] = A.token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), sub: B.user.id })).toString('base64url')}.${A.token.split('.')[2]}`;
    const r = await call('GET', '/tasks', { token: forged });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
  });

  test('GET runs READ ONLY: a writing function over GET is refused (25006 -> 405)', async () => {
    const r = await call('GET', '/rpc/signup?email=ro@example.com&password=password-ro&name=RO');
    assert.equal(r.status, 405);
    assert.equal(r.json.code, '25006');
    assert.equal((await signin({ email: 'ro@example.com', password: 'password-ro' })).text, err('Invalid email or password'));
  });

  test('signed-out token cannot touch tasks', async () => {
    const t = (await signin({ email: 'alice@todo.test', password: 'password-alice' })).json.token;
    assert.equal((await call('POST', '/rpc/signout', { token: t })).status, 200);
    const r = await call('POST', '/tasks', { token: t, body: { title: 'after sign-out' } });
    assert.equal(r.status, 401);
    assert.equal(r.json.message, 'Token has been revoked, please log in again');
  });
});
