// plan: 5 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Revocation across sessions (area 40): a backend remembers the tokens it
// found not revoked (so repeated verification skips the index probe), and
// must forget them the moment another session revokes one.  Two real
// connections, no gateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, withAdmin } from './40_http_lib.mjs';

const DB = 't40_revocation';
let A; // the session that keeps verifying
let B; // the session that signs out

const token = async (email) =>
  (await B.query('SELECT auth.signin($1, $2)::jsonb->>\'token\' AS t', [email, 'password-rev'])).rows[0].t;
const verify = (client, t) => client.query('SELECT auth.jwt_verify($1)->>\'email\' AS email', [t]);
const revoked = { code: 'PT401', message: 'Token has been revoked, please log in again' };

async function inSession(client, t, fn) {
  await client.query('BEGIN');
  await client.query('SELECT auth.jwt_verify($1)', [t]);
  await fn();
  await client.query('COMMIT');
}

before(async () => {
  await withAdmin('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DB}`);
  });
  A = admin(DB);
  B = admin(DB);
  await A.connect();
  await B.connect();
  await B.query('CREATE EXTENSION auth_ext');
  await B.query("SELECT auth.configure('password.argon2_memory_kib', '64')");
  await B.query("SELECT auth.configure('password.argon2_iterations', '1')");
  for (const who of ['one', 'two', 'three'])
    await B.query('SELECT auth.signup($1, $2, $3)', [`${who}@rev.test`, 'password-rev', who]);
});

after(async () => {
  await A?.end();
  await B?.end();
  await withAdmin('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
});

test('a token verified repeatedly by one session is refused there once another session signs it out', async () => {
  const t = await token('one@rev.test');
  for (let i = 0; i < 3; i++) assert.equal((await verify(A, t)).rows[0].email, 'one@rev.test');
  await inSession(B, t, () => B.query('SELECT auth.signout()'));
  await assert.rejects(verify(A, t), revoked);
});

test('a rolled-back sign-out revokes nothing', async () => {
  const t = await token('two@rev.test');
  assert.equal((await verify(A, t)).rows[0].email, 'two@rev.test');
  await B.query('BEGIN');
  await B.query('SELECT auth.jwt_verify($1)', [t]);
  await B.query('SELECT auth.signout()');
  await B.query('ROLLBACK');
  assert.equal((await verify(A, t)).rows[0].email, 'two@rev.test');
});

test('sign-out everywhere in one session reaches tokens cached by another', async () => {
  const t1 = await token('three@rev.test');
  const t2 = await token('three@rev.test');
  assert.equal((await verify(A, t1)).rows[0].email, 'three@rev.test');
  assert.equal((await verify(A, t2)).rows[0].email, 'three@rev.test');
  await inSession(B, t2, () => B.query('SELECT auth.signout_everywhere()'));
  await assert.rejects(verify(A, t1), revoked);
  await assert.rejects(verify(A, t2), revoked);
});

test('a revocation counts at once, even inside a REPEATABLE READ transaction begun before it', async () => {
  await new Promise((r) => setTimeout(r, 1100)); // past the second of the sign-out everywhere
  const t = await token('two@rev.test');
  await A.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    assert.equal((await verify(A, t)).rows[0].email, 'two@rev.test');
    await inSession(B, t, () => B.query('SELECT auth.signout()'));
    await assert.rejects(verify(A, t), revoked);
  } finally {
    await A.query('ROLLBACK');
  }
});

test('revoking in the same transaction counts for its next statement', async () => {
  const t = await token('one@rev.test');
  await A.query('BEGIN');
  try {
    await A.query('SELECT auth.jwt_verify($1)', [t]);
    await A.query('SELECT auth.signout()');
    await assert.rejects(verify(A, t), revoked);
  } finally {
    await A.query('ROLLBACK');
  }
  assert.equal((await verify(A, t)).rows[0].email, 'one@rev.test', 'and the rollback undoes it');
});
