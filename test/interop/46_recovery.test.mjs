// plan: 10 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Recovery over HTTP (area 45): password reset, password change and email
// verification through the PostgREST-protocol gateway (test/gateway/
// gateway.mjs) against the real server, the outbox announced to a real
// LISTEN client (Node pg) the way an application's mailer would read it.
//
// Checks that need real sessions (the current session survives a password
// change) run only when tokens carry a "sid" claim, i.e. once the sessions
// branch is merged; until then they are skipped, by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { admin, setup, sleep, teardown } from './40_http_lib.mjs';

let ctx;
let mailer; // the LISTEN client: connected as the extension owner, like a mailer
const notes = [];
let wake = null;

before(async () => {
  ctx = await setup('t40_recovery');
  mailer = admin('t40_recovery');
  await mailer.connect();
  mailer.on('notification', (n) => {
    notes.push(n);
    if (wake) wake();
  });
  await mailer.query('LISTEN auth_outbox');
});
after(async () => {
  await mailer?.end();
  await teardown(ctx);
});

const call = (...a) => ctx.call(...a);
const rpc = (name, body, token) => call('POST', `/rpc/${name}`, { body, token });
const GENERIC = '{"message": "If an account exists for this email, a password reset link has been sent"}';

// the next notification on auth_outbox (waits for it: no time limit here,
// the runner's suite timeout is the guard)
async function nextNote() {
  while (notes.length === 0) await new Promise((r) => { wake = r; });
  wake = null;
  return notes.shift();
}
// what the mailer does with a notification: read the outbox row it names, delete it
async function mail(note) {
  const r = await mailer.query('DELETE FROM auth.outbox WHERE id = $1 RETURNING kind, email, token', [note.payload]);
  assert.equal(r.rowCount, 1, 'the notification names an outbox row');
  return r.rows[0];
}
const hasSid = (token) => 'sid' in jose.decodeJwt(token);

test('request_password_reset: the same status and byte-identical body for known and unknown emails; only the known one reaches the mailer', async () => {
  assert.equal((await rpc('signup', { email: 'ann@recovery.test', password: 'password-ann', name: 'Ann' })).status, 201);
  const unknown = await rpc('request_password_reset', { email: 'nobody@recovery.test' });
  const known = await rpc('request_password_reset', { email: 'ANN@recovery.test' });
  assert.equal(unknown.status, 200);
  assert.equal(known.status, 200);
  assert.equal(unknown.text, GENERIC);
  assert.equal(known.text, unknown.text);
  // the unknown request came first: had it written anything, its
  // notification would be the first one the mailer gets
  const note = await nextNote();
  assert.equal(note.channel, 'auth_outbox');
  const m = await mail(note);
  assert.equal(m.kind, 'reset_password');
  assert.equal(m.email, 'ann@recovery.test');
  assert.match(m.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await ctx.sql("SELECT count(*)::int AS n FROM auth.outbox WHERE email = 'nobody@recovery.test'")).rows[0].n, 0);
  ctx.annReset = m.token;
});

test('the outbox and the token store are out of the application roles\' reach', async () => {
  for (const role of ['t40_authenticator', 't40_anon', 't40_user']) {
    for (const q of ['SELECT token FROM auth.outbox', 'SELECT token_hash FROM auth.recovery_tokens']) {
      await assert.rejects(
        ctx.sql(`BEGIN; SET LOCAL ROLE ${role}; ${q}; COMMIT`),
        { code: '42501' }, `${role}: ${q}`);
    }
  }
});

test('reset_password: works once, the new password signs in, the old does not, every earlier token is refused', async () => {
  const before = (await rpc('signin', { email: 'ann@recovery.test', password: 'password-ann' })).json.token;
  assert.equal((await call('GET', '/tasks', { token: before })).status, 200);
  const r = await rpc('reset_password', { token: ctx.annReset, new_password: 'new password ann' });
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"message": "Password has been reset"}');
  const again = await rpc('reset_password', { token: ctx.annReset, new_password: 'other password ann' });
  assert.equal(again.status, 400);
  assert.equal(again.text, '{"error": "Invalid or expired token"}');
  assert.equal((await rpc('signin', { email: 'ann@recovery.test', password: 'password-ann' })).status, 400);
  assert.equal((await rpc('signin', { email: 'ann@recovery.test', password: 'new password ann' })).status, 200);
  const refused = await call('GET', '/tasks', { token: before });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.message, 'Token has been revoked, please log in again');
});

test('a reset token expires after accounts.reset_token_seconds', async () => {
  await ctx.sql("SELECT auth.configure('accounts.reset_token_seconds', '1')");
  try {
    assert.equal((await rpc('request_password_reset', { email: 'ann@recovery.test' })).status, 200);
    const m = await mail(await nextNote());
    await sleep(1500);
    const r = await rpc('reset_password', { token: m.token, new_password: 'expired password' });
    assert.equal(r.status, 400);
    assert.equal(r.text, '{"error": "Invalid or expired token"}');
    assert.equal((await rpc('signin', { email: 'ann@recovery.test', password: 'new password ann' })).status, 200,
      'the password is unchanged');
  } finally {
    await ctx.sql("SELECT auth.configure('accounts.reset_token_seconds', '3600')");
  }
});

test('change_password needs a signed-in user: 401 without a token', async () => {
  const r = await rpc('change_password', { current_password: 'x', new_password: 'new password x' });
  assert.equal(r.status, 401);
  assert.equal(r.text, '{"error": "Not signed in"}');
});

test('change_password: a wrong current password is refused; the right one changes it and ends the other sessions', async () => {
  const other = (await rpc('signup', { email: 'bob@recovery.test', password: 'password-bob', name: 'Bob' })).json.token;
  const current = (await rpc('signin', { email: 'bob@recovery.test', password: 'password-bob' })).json.token;
  const wrong = await rpc('change_password', { current_password: 'password-nope', new_password: 'new password bob' }, current);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.text, '{"error": "Current password is incorrect"}');
  const r = await rpc('change_password', { current_password: 'password-bob', new_password: 'new password bob' }, current);
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"message": "Password changed"}');
  assert.equal((await call('GET', '/tasks', { token: other })).status, 401, 'the other session is ended');
  assert.equal((await rpc('signin', { email: 'bob@recovery.test', password: 'password-bob' })).status, 400);
  assert.equal((await rpc('signin', { email: 'bob@recovery.test', password: 'new password bob' })).status, 200);
  ctx.bobCurrent = current;
});

test('change_password keeps the current session (the one its sid names)', async () => {
  assert.ok(hasSid(ctx.bobCurrent), 'the current token names its session');
  assert.equal((await call('GET', '/tasks', { token: ctx.bobCurrent })).status, 200);
});

test('email verification: the outbox carries the link, verify_email flips email_verified of that user only, once', async () => {
  const cat = (await rpc('signup', { email: 'cat@recovery.test', password: 'password-cat', name: 'Cat' })).json.token;
  const dan = (await rpc('signup', { email: 'dan@recovery.test', password: 'password-dan', name: 'Dan' })).json.token;
  assert.equal(jose.decodeJwt(cat).email_verified, false);
  const r = await rpc('request_email_verification', {}, cat);
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"message": "Verification email sent"}');
  const m = await mail(await nextNote());
  assert.equal(m.kind, 'verify_email');
  assert.equal(m.email, 'cat@recovery.test');
  const asDan = await rpc('verify_email', { token: m.token }, dan);
  assert.equal(asDan.status, 400, 'signed in as Dan, Cat\'s token verifies nobody');
  const ok = await rpc('verify_email', { token: m.token }); // the link opened in another browser
  assert.equal(ok.status, 200);
  assert.equal(ok.text, '{"message": "Email verified"}');
  assert.equal((await rpc('verify_email', { token: m.token })).status, 400, 'a used token fails');
  const verified = (await ctx.sql('SELECT string_agg(email, \',\') AS e FROM auth.users WHERE email_verified_at IS NOT NULL')).rows[0].e;
  assert.equal(verified, 'cat@recovery.test');
  const jwks = (await ctx.sql('SELECT auth.jwks() AS j')).rows[0].j;
  const fresh = (await rpc('signin', { email: 'cat@recovery.test', password: 'password-cat' })).json.token;
  const { payload } = await jose.jwtVerify(fresh, jose.createLocalJWKSet(jwks));
  assert.equal(payload.email_verified, true, 'a token minted afterwards says email_verified: true');
  const danFresh = (await rpc('signin', { email: 'dan@recovery.test', password: 'password-dan' })).json.token;
  assert.equal(jose.decodeJwt(danFresh).email_verified, false);
});

test('request_email_verification without a token: 401', async () => {
  const r = await rpc('request_email_verification', {});
  assert.equal(r.status, 401);
  assert.equal(r.text, '{"error": "Not signed in"}');
});

test('the rate limit answers an unknown email exactly as a known one', async () => {
  await ctx.sql("SELECT auth.configure('accounts.recovery_requests_per_hour', '1')");
  try {
    const bodies = [];
    for (const email of ['eve@recovery.test', 'dan@recovery.test']) {
      for (let i = 0; i < 3; i++) {
        const r = await rpc('request_password_reset', { email });
        bodies.push(`${r.status} ${r.text}`);
      }
    }
    assert.deepEqual(new Set(bodies), new Set([`200 ${GENERIC}`]));
    // Dan (known) got one email, the two over the limit none; Eve (unknown) none
    const m = await mail(await nextNote());
    assert.equal(m.email, 'dan@recovery.test');
    assert.equal((await ctx.sql('SELECT count(*)::int AS n FROM auth.outbox')).rows[0].n, 0);
  } finally {
    await ctx.sql("SELECT auth.configure('accounts.recovery_requests_per_hour', '5')");
  }
});
