// plan: 7 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Tokens from other identity providers (issue 15), live with the real
// `jose`: four providers with their own keys sign tokens, auth.trust_issuer()
// trusts their public JWKS, auth.jwt_verify() verifies each with its own
// issuer's keys and claim mapping only.
//   - auth0: RS256 with "alg" in the JWKS, a namespaced (Hasura-style) role claim
//   - entra: RSA without "alg", with x5c and x5t (Microsoft Entra ID's shape),
//            user id from "oid", default role
//   - clerk: ES256, role from app_metadata.role, required claim "sid"
//   - stack: EdDSA
// The x5c certificate is syntactically a base64 DER blob but no certificate:
// auth_ext ignores x5c (it verifies with n/e, as Entra's own libraries do), so
// a real chain would change nothing.  Then the confusions (issuer A with B's
// key, with our keyring's key, with A's RSA public key as an HMAC secret),
// wrong aud, missing required claim, distrusted issuer, a provider's sub equal
// to a local user's uuid, and rotation seen at once by another session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as jose from 'jose';
import pg from 'pg';
import { admin, conn, freshDatabase, identityIn, one as first } from './20_lib.mjs';

const DB = 't20_issuers';
let db;
let other; // a second session

const now = () => Math.floor(Date.now() / 1000);
const one = (sql, params = []) => first(db, sql, params);

const P = {
  auth0: { iss: 'https://tenant.eu.auth0.com/', alg: 'RS256', kid: 'auth0-1', aud: ['https://api.todo.example'],
    options: { role_claim: '"https://hasura.io/jwt/claims"."x-hasura-default-role"' } },
  entra: { iss: 'https://login.microsoftonline.com/0f0e0d0c-0000-4000-8000-000000000001/v2.0', alg: 'RS256',
    kid: 'entra-1', noAlg: true, aud: ['api://todo'],
    options: { user_id_claim: 'oid', default_role: 'authenticated' } },
  clerk: { iss: 'https://clerk.todo.example', alg: 'ES256', kid: 'ins_clerk1', aud: null,
    options: { role_claim: 'app_metadata.role', required_claims: ['sid'] } },
  stack: { iss: 'https://api.stack-auth.com/api/v1/projects/p1', alg: 'EdDSA', kid: 'stack-1', aud: null,
    options: { default_role: 'authenticated' } },
};

// a provider's public JWKS as it publishes it
async function publicJwk(p, key, kid) {
  const jwk = { ...(await jose.exportJWK(key.publicKey)), kid, use: 'sig' };
  if (p.noAlg) {
    // Entra's shape: kty, use, kid, x5t, n, e, x5c, no alg
    jwk.x5t = jose.base64url.encode(Buffer.from(kid).subarray(0, 20));
    jwk.x5c = [Buffer.from(`not a certificate: auth_ext ignores x5c (${kid})`).toString('base64')];
  } else jwk.alg = p.alg;
  return jwk;
}

async function sign(p, claims, { key = p.key, kid = p.kid, alg = p.alg } = {}) {
  return new jose.SignJWT({ iss: p.iss, ...(p.aud ? { aud: p.aud[0] } : {}), ...claims })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

async function trust(p, keys) {
  const { rows } = await db.query('SELECT auth.trust_issuer($1, $2, $3, $4) AS kid',
    [p.iss, { keys }, p.aud, p.options]);
  return rows.map((r) => r.kid);
}

// the identity a token gives in one transaction of client c, or the PT401 detail
const identity = (token, c = db) => identityIn(c, token);

before(async () => {
  db = await freshDatabase(DB);
  other = new pg.Client(conn(DB));
  await other.connect();
  for (const [name, p] of Object.entries(P)) {
    p.name = name;
    p.key = await jose.generateKeyPair(p.alg, { extractable: true });
    p.jwk = await publicJwk(p, p.key, p.kid);
  }
});

after(async () => {
  await db?.end();
  await other?.end();
  await admin(`DROP DATABASE IF EXISTS ${DB}`);
});

test('each provider: trust_issuer returns its kids, its tokens verify with its claim mapping', async () => {
  for (const p of Object.values(P)) assert.deepEqual(await trust(p, [p.jwk]), [p.kid]);

  let id = await identity(await sign(P.auth0, {
    sub: 'auth0|64f1', 'https://hasura.io/jwt/claims': { 'x-hasura-default-role': 'editor' } }));
  assert.equal(id.user_id, 'auth0|64f1');
  assert.equal(id.role, 'editor');
  assert.equal(id.uid, null);
  assert.equal(id.jwt.iss, P.auth0.iss);

  id = await identity(await sign(P.entra, { sub: 'pairwise-sub', oid: '7d1c0b9a-1111-4222-8333-944455556666', roles: ['x'] }));
  assert.equal(id.user_id, '7d1c0b9a-1111-4222-8333-944455556666');
  assert.equal(id.role, 'authenticated');
  assert.equal(id.uid, null, 'an external subject never becomes a local uuid');

  id = await identity(await sign(P.clerk, { sub: 'user_2abc', sid: 'sess_1', app_metadata: { role: 'admin' } }));
  assert.deepEqual([id.user_id, id.role], ['user_2abc', 'admin']);

  id = await identity(await sign(P.stack, { sub: 'stack-user-1' }));
  assert.deepEqual([id.user_id, id.role], ['stack-user-1', 'authenticated']);
  // the verified-token cache gives the same identity
  const token = await sign(P.stack, { sub: 'stack-user-2' });
  assert.equal((await identity(token)).user_id, 'stack-user-2');
  assert.equal((await identity(token)).user_id, 'stack-user-2');
});

test('an Entra-style key without "alg" serves its family unless the issuer narrows it', async () => {
  await trust(P.entra, [P.entra.jwk]);
  // the same RSA key, as jose wants it for PS256
  const psKey = { privateKey: await jose.importPKCS8(await jose.exportPKCS8(P.entra.key.privateKey), 'PS256') };
  const ps = await sign(P.entra, { oid: 'o-ps' }, { alg: 'PS256', key: psKey });
  assert.equal((await identity(ps)).user_id, 'o-ps');
  await db.query('SELECT auth.trust_issuer($1, $2, $3, $4)',
    [P.entra.iss, { keys: [P.entra.jwk] }, P.entra.aud, { ...P.entra.options, algorithms: ['RS256'] }]);
  assert.match(await identity(ps), /algorithm is not allowed/);
  assert.equal((await identity(await sign(P.entra, { oid: 'o-rs' }))).user_id, 'o-rs');
});

test('confusion: issuer A with B\'s key, with our keyring\'s key, or with A\'s public key as HMAC secret', async () => {
  const a = P.auth0;
  // B's key under B's kid, and under A's kid
  assert.match(await identity(await sign(a, { sub: 'x' }, { key: P.entra.key, kid: P.entra.kid })),
    /not among its issuer's keys/);
  assert.match(await identity(await sign(a, { sub: 'x' }, { key: P.entra.key })), /signature/);
  assert.match(await identity(await sign(a, { sub: 'x' }, { key: P.clerk.key, kid: a.kid, alg: 'ES256' })),
    /algorithm does not match/);
  // our own keyring's key: jwt_sign keeps the iss we give when jwt.issuer is unset
  const ours = await one(`SELECT auth.jwt_sign(jsonb_build_object('sub', 'x', 'iss', $1::text, 'aud', $2::text))`,
    [a.iss, a.aud[0]]);
  assert.match(await identity(ours), /not among its issuer's keys/);
  // A's RSA public key (PEM, and its JWK text) as an HMAC secret
  for (const secret of [await jose.exportSPKI(a.key.publicKey), JSON.stringify(a.jwk)]) {
    const head = jose.base64url.encode(JSON.stringify({ alg: 'HS256', kid: a.kid, typ: 'JWT' }));
    const body = jose.base64url.encode(JSON.stringify({ iss: a.iss, aud: a.aud[0], sub: 'x', exp: now() + 300 }));
    const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    assert.match(await identity(`${head}.${body}.${mac}`), /algorithm is not allowed/);
  }
  // alg none
  const none = `${jose.base64url.encode('{"alg":"none"}')}.${jose.base64url.encode(JSON.stringify({ iss: a.iss, sub: 'x', exp: now() + 300 }))}.`;
  assert.equal(typeof await identity(none), 'string');
  // an external token naming no trusted issuer goes to our keyring, which does not hold its key
  const noIss = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: a.kid })
    .setExpirationTime('5m').sign(a.key.privateKey);
  assert.match(await identity(noIss), /unknown/);
});

test('wrong aud, missing required claim, distrusted issuer: PT401', async () => {
  assert.match(await identity(await sign(P.auth0, { sub: 'x', aud: 'https://other.example' })), /"aud"/);
  assert.match(await identity(await sign(P.auth0, { sub: 'x', aud: undefined })), /"aud"/);
  // an aud array intersecting the issuer's audiences is fine
  assert.equal((await identity(await sign(P.auth0, { sub: 'y', aud: ['z', P.auth0.aud[0]] }))).user_id, 'y');
  assert.match(await identity(await sign(P.clerk, { sub: 'user_2abc' })), /"sid"/);
  const token = await sign(P.stack, { sub: 's' });
  assert.equal((await identity(token)).user_id, 's');
  await db.query('SELECT auth.distrust_issuer($1)', [P.stack.iss]);
  assert.equal(typeof await identity(token), 'string');
  await trust(P.stack, [P.stack.jwk]);
  assert.equal((await identity(token)).user_id, 's');
});

test('a provider\'s sub equal to a local user\'s uuid does not become that user', async () => {
  await one(`SELECT auth.signup('alice@todo.example', 'correct horse battery', 'Alice')`);
  const localId = await one(`SELECT id::text FROM auth.users WHERE email = 'alice@todo.example'`);
  const local = await one(`SELECT auth.jwt_sign(jsonb_build_object('sub', $1::text))`, [localId]);
  assert.equal((await identity(local)).uid, localId);
  const id = await identity(await sign(P.clerk, { sub: localId, sid: 's' }));
  assert.equal(id.user_id, localId, 'the provider\'s subject, as text');
  assert.equal(id.uid, null, 'but not the local user');
  // nor can it sign the local user out everywhere
  const ext = await sign(P.clerk, { sub: localId, sid: 's' });
  await db.query('BEGIN');
  await db.query('SELECT auth.jwt_verify($1)', [ext]);
  const out = await one('SELECT auth.signout_everywhere()');
  await db.query('COMMIT');
  assert.match(out.error, /another identity provider/);
  assert.equal((await identity(local)).uid, localId, 'the local token still verifies');
});

test('rotation: the new key set counts at once in a session that had cached the old one', async () => {
  const p = P.auth0;
  const old = await sign(p, { sub: 'rot' });
  assert.equal((await identity(old, other)).user_id, 'rot');
  assert.equal((await identity(old, other)).user_id, 'rot'); // cached in `other`
  const next = await jose.generateKeyPair('RS256', { extractable: true });
  const nextJwk = await publicJwk(p, next, 'auth0-2');
  // both during the overlap
  assert.deepEqual(await trust(p, [p.jwk, nextJwk]), ['auth0-1', 'auth0-2']);
  const fresh = await sign(p, { sub: 'rot2' }, { key: next, kid: 'auth0-2' });
  assert.equal((await identity(fresh, other)).user_id, 'rot2');
  assert.equal((await identity(old, other)).user_id, 'rot');
  // the old kid removed: refused at once in the other session
  assert.deepEqual(await trust(p, [nextJwk]), ['auth0-2']);
  assert.match(await identity(old, other), /not among its issuer's keys/);
  assert.equal((await identity(fresh, other)).user_id, 'rot2');
  // an uncommitted change is invisible to the other session
  await db.query('BEGIN');
  await db.query('SELECT auth.distrust_issuer($1)', [p.iss]);
  assert.equal((await identity(fresh, other)).user_id, 'rot2');
  await db.query('ROLLBACK');
  assert.equal((await identity(fresh, other)).user_id, 'rot2');
});

test('auth.issuers() lists kids, audiences and options, never private material', async () => {
  const { rows } = await db.query('SELECT * FROM auth.issuers()');
  const clerk = rows.find((r) => r.issuer === P.clerk.iss);
  assert.deepEqual(clerk.kids, [P.clerk.kid]);
  assert.equal(clerk.options.role_claim, 'app_metadata.role');
  assert.deepEqual(clerk.options.required_claims, ['sid']);
  assert.deepEqual(clerk.options.algorithms.includes('HS256'), false);
  for (const r of rows) for (const k of r.keys) assert.equal(k.jwk.d, undefined);
  // a JWKS with private members is refused
  const priv = { ...(await jose.exportJWK(P.clerk.key.privateKey)), kid: 'k' };
  await assert.rejects(db.query('SELECT auth.trust_issuer($1, $2)', [P.clerk.iss, { keys: [priv] }]),
    (e) => e.code === '22023' && /private key material/.test(e.message));
});
