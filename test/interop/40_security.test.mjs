// plan: 8 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Accounts over HTTP (area 40): concurrency, lockout and its reset, no user
// enumeration through bodies, and better-auth interop, end to end through
// the PostgREST-protocol gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from 'better-auth/crypto';
import { setup, sleep, teardown } from './40_http_lib.mjs';

let ctx;
before(async () => {
  ctx = await setup('t40_security', {
    'accounts.max_failures': '3',
    'accounts.lockout_base_seconds': '1',
    'accounts.lockout_max_seconds': '2',
  });
});
after(async () => { await teardown(ctx); });

const INVALID = '{"error": "Invalid email or password"}';
const signup = (body) => ctx.call('POST', '/rpc/signup', { body });
const signin = (body) => ctx.call('POST', '/rpc/signin', { body });

describe('concurrency', () => {
  test('20 concurrent sign-ups of one email: exactly 1 succeeds, 19 get Email already registered', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signup({ email: i % 2 ? 'Race@Example.com' : 'race@example.com', password: `password-${i}`, name: `Racer ${i}` })));
    const ok = results.filter((r) => r.status === 201);
    const dup = results.filter((r) => r.status === 400 && r.text === '{"error": "Email already registered"}');
    assert.equal(ok.length, 1);
    assert.equal(dup.length, 19);
    const n = (await ctx.sql("SELECT count(*)::int AS n FROM auth.users WHERE email = 'race@example.com'")).rows[0].n;
    assert.equal(n, 1);
  });

  test('50 concurrent sign-ins of distinct users all succeed', async () => {
    const users = Array.from({ length: 50 }, (_, i) => ({ email: `many${i}@example.com`, password: `password-many-${i}`, name: `Many ${i}` }));
    for (const u of users) assert.equal((await signup(u)).status, 201);
    const results = await Promise.all(users.map((u) => signin({ email: u.email, password: u.password })));
    assert.deepEqual(results.map((r) => r.status), users.map(() => 200));
    assert.deepEqual(results.map((r) => r.json.user.email), users.map((u) => u.email));
  });
});

describe('lockout (max_failures 3, back-off 1 s doubling, at most 2 s)', () => {
  const email = 'locked@example.com';
  const good = 'password-locked';
  before(async () => { assert.equal((await signup({ email, password: good, name: 'Lock' })).status, 201); });

  test('three wrong passwords, then even the right one is refused with the same body', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await signin({ email, password: `wrong-${i}-password` });
      assert.equal(r.status, 400);
      assert.equal(r.text, INVALID);
    }
    const r = await signin({ email, password: good });
    assert.equal(r.status, 400);
    assert.equal(r.text, INVALID);
  });

  test('failure bodies are byte-identical: unknown email, wrong password, locked account', async () => {
    await signup({ email: 'open@example.com', password: 'password-open', name: 'Open' });
    const locked = await signin({ email, password: good });
    const wrong = await signin({ email: 'open@example.com', password: 'not-the-password' });
    const unknown = await signin({ email: 'ghost@example.com', password: 'password-ghost' });
    for (const r of [locked, wrong, unknown]) {
      assert.equal(r.status, 400);
      assert.ok(Buffer.from(r.text).equals(Buffer.from(INVALID)));
      assert.equal(r.headers.get('content-type'), locked.headers.get('content-type'));
      assert.equal(r.headers.get('content-length'), locked.headers.get('content-length'));
    }
    // the wrong password above counts; reset that account for later tests
    assert.equal((await signin({ email: 'open@example.com', password: 'password-open' })).status, 200);
  });

  test('after the window the right password works, and success resets the count', async () => {
    await sleep(1100);
    const r = await signin({ email, password: good });
    assert.equal(r.status, 200);
    // two failures after a reset do not lock (the count starts again from 0)
    for (let i = 0; i < 2; i++) assert.equal((await signin({ email, password: 'wrong-again-pw' })).text, INVALID);
    assert.equal((await signin({ email, password: good })).status, 200);
  });

  // No race with the clock: the window's length is read from the row (both ends
  // are now() of the failing sign-in), and a lockout is ended by moving its end
  // into the past, not by sleeping past it.
  const window = async () => Number((await ctx.sql(
    'SELECT extract(epoch FROM locked_until - last_failure) AS s FROM auth.signin_failures WHERE email = $1',
    [email])).rows[0].s);
  const endLockout = () => ctx.sql(
    "UPDATE auth.signin_failures SET locked_until = now() - interval '1 second' WHERE email = $1", [email]);
  test('the window grows: a failure after the first lockout locks for longer', async () => {
    for (let i = 0; i < 3; i++) await signin({ email, password: 'wrong-password-x' });
    assert.equal(await window(), 1, 'the 3rd failure locks for 1 s');
    await endLockout();
    assert.equal((await signin({ email, password: 'wrong-password-y' })).text, INVALID);
    assert.equal(await window(), 2, 'the 4th failure, after the first lockout, locks for 2 s');
    assert.equal((await signin({ email, password: good })).text, INVALID, 'the right password is refused during it');
    await endLockout();
    assert.equal((await signin({ email, password: good })).status, 200, 'and accepted once it is over');
  });

  test('a locked account is not unlocked by attempts during the lock', async () => {
    for (let i = 0; i < 3; i++) await signin({ email, password: 'wrong-password-z' });
    const row = (await ctx.sql(
      "SELECT failures FROM auth.signin_failures WHERE email = $1", [email])).rows[0];
    assert.equal(row.failures, 3);
    await signin({ email, password: 'wrong-during-lock' });
    const again = (await ctx.sql(
      "SELECT failures FROM auth.signin_failures WHERE email = $1", [email])).rows[0];
    assert.equal(again.failures, 3, 'attempts during a lockout are refused without being counted');
  });
});

describe('better-auth interop', () => {
  test('a user with a real better-auth scrypt hash signs in, and the hash is upgraded to Argon2id', async () => {
    const password = 'better-auth password';
    const hash = await hashPassword(password);
    assert.match(hash, /^[0-9a-f]{32}:[0-9a-f]{128}$/, 'better-auth salthex:keyhex format');
    await ctx.sql("INSERT INTO auth.users (email, name, password_hash) VALUES ('ba@example.com', 'From Better Auth', $1)", [hash]);
    const wrong = await signin({ email: 'ba@example.com', password: 'not it at all' });
    assert.equal(wrong.text, INVALID);
    const stillScrypt = (await ctx.sql("SELECT password_hash FROM auth.users WHERE email = 'ba@example.com'")).rows[0].password_hash;
    assert.equal(stillScrypt, hash, 'a failed sign-in leaves the hash alone');
    const r = await signin({ email: 'ba@example.com', password });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.name, 'From Better Auth');
    const stored = (await ctx.sql("SELECT password_hash FROM auth.users WHERE email = 'ba@example.com'")).rows[0].password_hash;
    assert.match(stored, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    assert.equal((await ctx.sql('SELECT auth.password_needs_rehash($1) AS n', [stored])).rows[0].n, false);
    const again = await signin({ email: 'ba@example.com', password });
    assert.equal(again.status, 200, 'signs in with the upgraded hash');
  });
});
