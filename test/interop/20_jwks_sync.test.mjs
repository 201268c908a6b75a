// plan: 13 (tests, as node --test counts them; scripts/test.sh checks it)
// contrib/jwks-sync (issue 15, item 4) against a provider played on loopback:
// a Node http server serves a JWKS of jose-generated keys with an ETag,
// Last-Modified and Cache-Control, and answers 304 to a matching
// If-None-Match.  The companion runs as it would from cron (bash, curl,
// psql, as the extension owner) and is checked for what it did:
//   - a served set equal to the trusted one up to order and white space is
//     "unchanged" (auth.trust_issuer not called: updated_at stays);
//   - the next poll is conditional (the server saw If-None-Match and
//     If-Modified-Since) and answered 304;
//   - a rotation is applied: the new key verifies at once in ANOTHER session
//     that had verified (cached) a token of the old set, the removed kid is
//     refused there (PT401);
//   - Cache-Control max-age is honoured between polls (no request at all),
//     --force fetches anyway; validators are kept per database;
//   - failures keep the old keys and exit 1: HTTP 500, a body that is not
//     JSON, an empty key set, a key set auth.trust_issuer refuses (private
//     material), JSON that is no JWKS; plain http to a host that is not
//     loopback is refused without a request; a role that is not the
//     extension owner gets exit 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import pg from 'pg';
import { admin, conn, freshDatabase, identityIn, one as first } from './20_lib.mjs';

const DB = 't20_jwks_sync';
const ISS = 'https://rotating.idp.example';
const SYNC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../contrib/jwks-sync/jwks-sync');
let db;
let other; // another session, which verifies tokens while the companion rotates keys
let server;
let uri;
let stateDir;
const keys = {};
const seen = []; // every request the provider received: { url, headers, status }

// what the provider serves
const served = { body: '', status: 200, cacheControl: 'no-cache', lastModified: new Date(0).toUTCString() };
const etag = () => `"${createHash('sha256').update(served.body).digest('base64url').slice(0, 16)}"`;
const serve = (body, extra = {}) => {
  served.body = typeof body === 'string' ? body : JSON.stringify(body);
  served.lastModified = new Date(Date.now() - 1000 * Object.keys(seen).length).toUTCString();
  Object.assign(served, { status: 200, cacheControl: 'no-cache' }, extra);
};

const one = (sql, params = []) => first(db, sql, params);
const kids = async () => one('SELECT kids FROM auth.issuers() WHERE issuer = $1', [ISS]);
const updatedAt = async () => one('SELECT updated_at::text FROM auth.issuers() WHERE issuer = $1', [ISS]);

// runs the companion; resolves { code, stdout, stderr }
function sync(args = [], env = {}) {
  return new Promise((resolve) => {
    execFile('bash', [SYNC, ...args], {
      env: { ...process.env, PGDATABASE: DB, PGUSER: 'postgres', JWKS_SYNC_STATE_DIR: stateDir, ...env },
    }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

async function sign(kid, sub) {
  return new jose.SignJWT({ iss: ISS, aud: 'api', sub })
    .setProtectedHeader({ alg: keys[kid].alg, kid, typ: 'JWT' })
    .setIssuedAt().setExpirationTime('5m')
    .sign(keys[kid].pair.privateKey);
}

// the user id a token gives in session c, or the PT401 detail
async function verify(token, c = other) {
  const id = await identityIn(c, token);
  return typeof id === 'string' ? id : id.user_id;
}

before(async () => {
  for (const [kid, alg] of [['rsa-1', 'RS256'], ['rsa-2', 'RS256'], ['ec-3', 'ES256']]) {
    const pair = await jose.generateKeyPair(alg, { extractable: true });
    keys[kid] = { alg, pair, jwk: { ...(await jose.exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
  }
  server = http.createServer((req, res) => {
    const headers = { ETag: etag(), 'Last-Modified': served.lastModified, 'Cache-Control': served.cacheControl };
    let status = served.status;
    if (status === 200 && req.headers['if-none-match'] === headers.ETag) status = 304;
    seen.push({ url: req.url, headers: req.headers, status });
    if (status === 304) { res.writeHead(304, headers); res.end(); return; }
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
    res.end(status === 200 ? served.body : 'upstream trouble');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  uri = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  stateDir = mkdtempSync(path.join(tmpdir(), 'jwks-sync-state-'));
  db = await freshDatabase(DB);
  other = new pg.Client(conn(DB));
  await other.connect();
  await db.query('SELECT auth.trust_issuer($1, $2, $3, $4)',
    [ISS, { keys: [keys['rsa-1'].jwk, keys['ec-3'].jwk] }, ['api'], { jwks_uri: uri, default_role: 'authenticated' }]);
  await db.query('SELECT auth.trust_issuer($1, $2, NULL, $3)',
    ['https://manual.idp.example', { keys: [keys['ec-3'].jwk] }, {}]);
});

after(async () => {
  await other?.end();
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS ${DB}`);
  server?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test('the served set equals the trusted one up to order and white space: unchanged, trust_issuer not called', async () => {
  const before = await updatedAt();
  // the same keys, in the other order, members reordered, indented
  const reordered = [keys['ec-3'].jwk, keys['rsa-1'].jwk]
    .map((k) => Object.fromEntries(Object.entries(k).reverse()));
  serve(JSON.stringify({ keys: reordered }, null, 2));
  const r = await sync();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^https:\/\/rotating\.idp\.example: unchanged$/m);
  assert.match(r.stdout, /^https:\/\/manual\.idp\.example: skipped \(no jwks_uri option\)$/m);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].headers['if-none-match'], undefined, 'the first poll is unconditional');
  assert.equal(seen[0].headers['user-agent'], 'auth_ext-jwks-sync/1.2');
  assert.equal(await updatedAt(), before);
});

test('the next poll is conditional and the provider answers 304', async () => {
  const r = await sync();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rotating\.idp\.example: not modified \(HTTP 304\)/);
  const last = seen.at(-1);
  assert.equal(last.headers['if-none-match'], etag(), 'If-None-Match carries the ETag of the JWKS applied');
  assert.equal(last.headers['if-modified-since'], served.lastModified, 'and If-Modified-Since its Last-Modified');
  assert.equal(last.status, 304);
});

test('rotation: the new key verifies at once in another session that had cached the old set; the removed kid is refused', async () => {
  const old = await sign('rsa-1', 'alice');
  assert.equal(await verify(old), 'alice');
  assert.equal(await verify(old), 'alice'); // cached in `other`
  const fresh = await sign('rsa-2', 'bob');
  assert.match(await verify(fresh), /not among its issuer's keys/);
  serve({ keys: [keys['rsa-2'].jwk, keys['ec-3'].jwk] });
  const r = await sync();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rotating\.idp\.example: updated, kids now: rsa-2 ec-3/);
  assert.equal(seen.at(-1).status, 200);
  assert.ok(seen.at(-1).headers['if-none-match'], 'still a conditional request');
  assert.deepEqual(await kids(), ['rsa-2', 'ec-3']);
  assert.equal(await verify(fresh), 'bob');
  assert.match(await verify(old), /not among its issuer's keys/);
  // audience and options kept
  assert.deepEqual(await one('SELECT audience FROM auth.issuers() WHERE issuer = $1', [ISS]), ['api']);
  assert.equal(await one("SELECT options->>'default_role' FROM auth.issuers() WHERE issuer = $1", [ISS]), 'authenticated');
  assert.equal(await one("SELECT options->>'jwks_uri' FROM auth.issuers() WHERE issuer = $1", [ISS]), uri);
});

test('Cache-Control max-age is honoured between polls; --force fetches anyway', async () => {
  serve({ keys: [keys['rsa-2'].jwk, keys['ec-3'].jwk, keys['rsa-1'].jwk] }, { cacheControl: 'public, max-age=600' });
  let r = await sync(['--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /updated, kids now: rsa-2 ec-3 rsa-1/);
  const n = seen.length;
  serve({ keys: [keys['rsa-2'].jwk] }, { cacheControl: 'public, max-age=600' });
  r = await sync();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rotating\.idp\.example: fresh \(Cache-Control max-age, \d+ s left\)/);
  assert.equal(seen.length, n, 'no request while the last response is fresh');
  assert.deepEqual(await kids(), ['rsa-2', 'ec-3', 'rsa-1']);
  r = await sync(['--force', '--issuer', ISS]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(seen.length, n + 1);
  assert.equal(seen.at(-1).headers['if-none-match'], undefined, '--force sends no validators');
  assert.deepEqual(await kids(), ['rsa-2']);
  assert.doesNotMatch(r.stdout, /manual\.idp\.example/, '--issuer syncs that issuer only');
});

// each failure: exit 1, a message naming the issuer, the keys kept, tokens still verify
async function failsSafe(body, extra, message) {
  const before = await updatedAt();
  const token = await sign('rsa-2', 'carol');
  if (body !== null) serve(body, extra); else Object.assign(served, extra);
  const r = await sync(['--force']);
  assert.equal(r.code, 1, `exit 1: ${r.stdout} ${r.stderr}`);
  assert.match(r.stderr, /^jwks-sync: https:\/\/rotating\.idp\.example: .*keys unchanged/m);
  assert.match(r.stderr, message);
  assert.deepEqual(await kids(), ['rsa-2']);
  assert.equal(await updatedAt(), before);
  assert.equal(await verify(token), 'carol');
  return r;
}

test('an HTTP error keeps the keys', async () => {
  await failsSafe(null, { status: 500 }, /HTTP 500 from http:\/\/127\.0\.0\.1/);
});

test('a body that is not JSON keeps the keys', async () => {
  const r = await failsSafe('<html>maintenance</html>', {},
    /keys unchanged: ERROR:  invalid input syntax for type json DETAIL:  Token "<" is invalid\.$/m);
  assert.doesNotMatch(r.stderr, /maintenance/, 'the served body is not echoed');
});

test('an empty key set keeps the keys (auth.trust_issuer refuses it)', async () => {
  await failsSafe({ keys: [] }, {}, /the JWKS has no keys/);
});

test('an invalid key set keeps the keys: private material, an HMAC key, JSON that is no JWKS', async () => {
  const priv = await jose.exportJWK(keys['rsa-1'].pair.privateKey);
  await failsSafe({ keys: [{ ...priv, kid: 'leak', alg: 'RS256' }] }, {}, /private key material/);
  await failsSafe({ keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0', kid: 'h' }] }, {},
    /HMAC \("oct"\) keys cannot be trusted/);
  await failsSafe([keys['rsa-2'].jwk], {}, /a JWKS is an object with a "keys" array/);
});

test('after a failure the next good poll applies', async () => {
  serve({ keys: [keys['rsa-2'].jwk, keys['ec-3'].jwk] });
  const r = await sync();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /updated, kids now: rsa-2 ec-3/);
  assert.equal(seen.at(-1).headers['if-none-match'], undefined,
    'a refused JWKS left no validators behind, so it is fetched in full');
});

test('the saved validators are per database: another database trusting the same URL gets a full fetch', async () => {
  const db2 = await freshDatabase(`${DB}_2`);
  try {
    await db2.query('SELECT auth.trust_issuer($1, $2, NULL, $3)', [ISS, { keys: [keys['rsa-1'].jwk] }, { jwks_uri: uri }]);
    const r = await sync([], { PGDATABASE: `${DB}_2` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rotating\.idp\.example: updated, kids now: rsa-2 ec-3/);
    assert.equal(seen.at(-1).headers['if-none-match'], undefined, 'not the first database\'s ETag');
    assert.deepEqual(await first(db2, 'SELECT kids FROM auth.issuers() WHERE issuer = $1', [ISS]), ['rsa-2', 'ec-3']);
  } finally {
    await db2.end();
    await admin(`DROP DATABASE IF EXISTS ${DB}_2`);
  }
});

test('plain http to a host that is not loopback is refused without a request', async () => {
  await db.query('SELECT auth.trust_issuer($1, $2, NULL, $3)',
    ['https://plain.idp.example', { keys: [keys['ec-3'].jwk] }, { jwks_uri: 'http://jwks.idp.example/keys' }]);
  const n = seen.length;
  const r = await sync(['--issuer', 'https://plain.idp.example']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refusing plain http to a host that is not loopback: http:\/\/jwks\.idp\.example\/keys \(--allow-http to allow it\); keys unchanged/);
  assert.equal(seen.length, n);
  assert.deepEqual(await one('SELECT kids FROM auth.issuers() WHERE issuer = $1', ['https://plain.idp.example']), ['ec-3']);
});

test('an unknown --issuer and a bad option are usage errors (exit 2)', async () => {
  let r = await sync(['--issuer', 'https://nobody.example']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no trusted issuer "https:\/\/nobody\.example"/);
  r = await sync(['--timeout', 'soon']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout wants seconds/);
});

test('a role without the extension owner\'s privileges cannot sync (exit 2, 42501 from the database)', async () => {
  await db.query('DROP ROLE IF EXISTS t20_sync_app');
  await db.query('CREATE ROLE t20_sync_app LOGIN');
  await db.query('GRANT USAGE ON SCHEMA auth TO t20_sync_app');
  await db.query('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO t20_sync_app');
  try {
    const r = await sync([], { PGUSER: 't20_sync_app' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot list the trusted issuers \(connect as the extension owner\): .*permission denied to list issuers/);
  } finally {
    await db.query('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA auth FROM t20_sync_app');
    await db.query('REVOKE ALL ON SCHEMA auth FROM t20_sync_app');
    await db.query('DROP ROLE t20_sync_app');
  }
});
