// plan: 4 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Key rotation and cache invalidation across two live connections: A keeps
// its keyring and verified-token caches warm, B changes auth.keys; A sees
// every committed change on its very next call, never an uncommitted one,
// and reads auth.keys only after a change (not on every call).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { admin, conn, freshDatabase, one } from './20_lib.mjs';

const DB = 't20_rotation';
let a;
let b;

async function verifies(client, token) {
  try {
    return (await one(client, 'SELECT auth.jwt_verify($1)', [token])).sub;
  } catch (e) {
    assert.equal(e.code, 'PT401');
    return e.detail;
  }
}

before(async () => {
  a = await freshDatabase(DB);
  b = new pg.Client(conn(DB));
  await b.connect();
});

after(async () => {
  await a?.end();
  await b?.end();
  await admin(`DROP DATABASE IF EXISTS ${DB}`);
});

test('A verifies, B retires the key, A\'s next call fails', async () => {
  const token = await one(b, `SELECT auth.jwt_sign('{"sub":"alice"}')`);
  const kid = await one(b, `SELECT auth.jwt_decode_unverified($1)->'header'->>'kid'`, [token]);
  assert.equal(await verifies(a, token), 'alice');
  assert.equal(await verifies(a, token), 'alice'); // from A's verified-token cache

  // uncommitted retirement is invisible to A
  await b.query('BEGIN');
  await b.query('SELECT auth.retire_key($1)', [kid]);
  assert.equal(await verifies(a, token), 'alice');
  await b.query('ROLLBACK');
  assert.equal(await verifies(a, token), 'alice');

  await b.query('SELECT auth.retire_key($1)', [kid]);
  assert.match(await verifies(a, token), /retired/);
});

test('a key B creates signs tokens A verifies at once; deleting it stops them', async () => {
  const kid = await one(b, `SELECT auth.create_key('ES256')`);
  const token = await one(b, `SELECT auth.jwt_sign('{"sub":"bob"}')`);
  assert.equal(await one(a, `SELECT auth.jwt_decode_unverified($1)->'header'->>'kid'`, [token]), kid);
  assert.equal(await verifies(a, token), 'bob');
  assert.equal(await verifies(a, token), 'bob');
  // A's JWKS follows too
  assert.ok((await one(a, 'SELECT auth.jwks()')).keys.some((k) => k.kid === kid));
  await b.query('DELETE FROM auth.keys WHERE kid = $1', [kid]);
  assert.match(await verifies(a, token), /unknown/);
  assert.ok(!(await one(a, 'SELECT auth.jwks()')).keys.some((k) => k.kid === kid));
});

test('several active keys verify side by side during a rotation', async () => {
  const k1 = await one(b, `SELECT auth.create_key('EdDSA')`);
  const t1 = await one(b, `SELECT auth.jwt_sign('{"sub":"one"}')`);
  const k2 = await one(b, `SELECT auth.create_key('RS256')`);
  const t2 = await one(b, `SELECT auth.jwt_sign('{"sub":"two"}')`);
  assert.notEqual(k1, k2);
  assert.equal(await verifies(a, t1), 'one');
  assert.equal(await verifies(a, t2), 'two');
  await b.query('SELECT auth.retire_key($1)', [k1]);
  assert.match(await verifies(a, t1), /retired/);
  assert.equal(await verifies(a, t2), 'two');
});

test('verification reads auth.keys once per change, not once per call', async () => {
  const token = await one(b, `SELECT auth.jwt_sign('{"sub":"carol"}')`);
  const scans = `SELECT coalesce((SELECT seq_scan FROM pg_stat_xact_user_tables
                   WHERE relid = 'auth.keys'::regclass), 0)`;
  await a.query('BEGIN');
  const before = Number(await one(a, scans));
  for (let i = 0; i < 50; i++) assert.equal(await verifies(a, token), 'carol');
  assert.equal(Number(await one(a, scans)), before);
  await a.query('COMMIT');
  // after a change, a reload: at least one read (the change is seen), and
  // not one per call (20 calls).  Not "exactly one": an incidental
  // invalidation (a sinval reset under load, autovacuum) may add a read, and
  // a test must not depend on how many of those happen.
  await b.query(`SELECT auth.create_key('HS256')`);
  await a.query('BEGIN');
  const before2 = Number(await one(a, scans));
  for (let i = 0; i < 20; i++) assert.equal(await verifies(a, token), 'carol');
  const reads = Number(await one(a, scans)) - before2;
  assert.ok(reads >= 1 && reads <= 3, `reads of auth.keys after one change, over 20 calls: ${reads}`);
  await a.query('COMMIT');
});
