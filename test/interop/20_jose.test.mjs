// plan: 28 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Interop of auth_ext's tokens with the real `jose` package, live:
//  - for every algorithm, tokens auth_ext signs verify in jose (asymmetric
//    keys through auth.jwks(), HMAC through the shared secret);
//  - tokens jose signs verify in auth.jwt_verify after auth.import_jwks;
//  - tokens with each claim violation are rejected by both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { admin, freshDatabase, one as first } from './20_lib.mjs';

const DB = 't20_jose';
let db;

const ASYM = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const HMAC = ['HS256', 'HS384', 'HS512'];
const now = () => Math.floor(Date.now() / 1000);

async function q(sql, params = []) {
  return (await db.query(sql, params)).rows;
}
const one = (sql, params = []) => first(db, sql, params);
// the PT401 error of auth.jwt_verify, or null when it verifies
async function ourError(token) {
  try {
    await q('SELECT auth.jwt_verify($1)', [token]);
    return null;
  } catch (e) {
    return e.code;
  }
}

before(async () => {
  db = await freshDatabase(DB);
});

after(async () => {
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS ${DB}`);
});

for (const alg of ASYM) {
  test(`${alg}: auth.jwt_sign token verifies in jose through auth.jwks()`, async () => {
    const kid = await one('SELECT auth.create_key($1)', [alg]);
    const token = await one(`SELECT auth.jwt_sign('{"sub":"alice","role":"authenticated"}')`);
    const jwks = jose.createLocalJWKSet(await one('SELECT auth.jwks()'));
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { algorithms: [alg] });
    assert.equal(payload.sub, 'alice');
    assert.equal(protectedHeader.kid, kid);
    assert.equal(protectedHeader.alg, alg);
    assert.ok(payload.exp > now() && typeof payload.jti === 'string');
    // a flipped signature bit is refused by jose too
    const [h, p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[0] ^= 1;
    await assert.rejects(jose.jwtVerify(`${h}.${p}.${sig.toString('base64url')}`, jwks));
  });
}

for (const alg of HMAC) {
  test(`${alg}: auth.jwt_encode token verifies in jose with the secret`, async () => {
    const secret = Buffer.alloc(64, 7);
    const token = await one(
      `SELECT auth.jwt_encode(jsonb_build_object('sub', 'bob', 'exp', $1::bigint), $2, $3)`,
      [now() + 600, secret.toString('latin1'), alg]);
    const { payload } = await jose.jwtVerify(token, secret, { algorithms: [alg] });
    assert.equal(payload.sub, 'bob');
  });
}

for (const alg of [...ASYM, ...HMAC]) {
  test(`${alg}: a token jose signs verifies in auth.jwt_verify after auth.import_jwks`, async () => {
    const kid = `t20-jose-${alg}`;
    let signKey;
    let jwk;
    if (alg.startsWith('HS')) {
      signKey = Buffer.from(crypto.getRandomValues(new Uint8Array(64)));
      jwk = { kty: 'oct', k: signKey.toString('base64url') };
    } else {
      const pair = await jose.generateKeyPair(alg, { extractable: true });
      signKey = pair.privateKey;
      jwk = await jose.exportJWK(pair.publicKey);
    }
    const kids = await q('SELECT auth.import_jwks($1) AS kid',
      [{ keys: [{ ...jwk, kid, alg, use: 'sig' }] }]);
    assert.deepEqual(kids.map((r) => r.kid), [kid]);
    const token = await new jose.SignJWT({ sub: 'carol', email: 'c@example.com' })
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuedAt().setExpirationTime('10m').sign(signKey);
    const claims = await one('SELECT auth.jwt_verify($1)', [token]);
    assert.equal(claims.sub, 'carol');
    assert.equal(claims.email, 'c@example.com');
    // imported keys are verify-only: never published nor used to sign
    const jwks = await one('SELECT auth.jwks()');
    assert.ok(!jwks.keys.some((k) => k.kid === kid));
  });
}

test('Ed25519 (RFC 9864 name of EdDSA) tokens and JWKs from jose verify', async () => {
  const pair = await jose.generateKeyPair('Ed25519', { extractable: true });
  const kid = 't20-jose-ed25519-name';
  await q('SELECT auth.import_jwk($1)',
    [{ ...(await jose.exportJWK(pair.publicKey)), kid, alg: 'Ed25519' }]);
  const token = await new jose.SignJWT({ sub: 'frank' })
    .setProtectedHeader({ alg: 'Ed25519', kid }).setExpirationTime('5m').sign(pair.privateKey);
  assert.equal((await one('SELECT auth.jwt_verify($1)', [token])).sub, 'frank');
  assert.equal((await one(`SELECT auth.jwt_decode($1, $2, '{Ed25519}')`,
    [token, JSON.stringify(await jose.exportJWK(pair.publicKey))])).sub, 'frank');
});

test('claim violations are rejected by both jose and auth.jwt_verify', async () => {
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const kid = 't20-jose-claims';
  await q('SELECT auth.import_jwk($1)',
    [{ ...(await jose.exportJWK(pair.publicKey)), kid, alg: 'ES256' }]);
  const sign = (claims) => new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid }).sign(pair.privateKey);
  await q(`SELECT auth.configure('jwt.issuer', 'https://t20.example'),
                  auth.configure('jwt.audience', 't20-api')`);
  const opts = { issuer: 'https://t20.example', audience: 't20-api', algorithms: ['ES256'] };
  const base = { sub: 'dave', iss: 'https://t20.example', aud: 't20-api', exp: now() + 600 };
  try {
    // control: valid for both
    const good = await sign(base);
    await jose.jwtVerify(good, pair.publicKey, opts);
    assert.equal(await ourError(good), null);

    const cases = {
      expired: { ...base, exp: now() - 120 },
      'not yet valid': { ...base, nbf: now() + 600 },
      'wrong issuer': { ...base, iss: 'https://evil.example' },
      'no issuer': (({ iss, ...rest }) => rest)(base),
      'wrong audience': { ...base, aud: 'other' },
      'exp as a string': { ...base, exp: String(now() + 600) },
    };
    for (const [name, claims] of Object.entries(cases)) {
      const token = await sign(claims);
      await assert.rejects(jose.jwtVerify(token, pair.publicKey, opts), `jose accepts: ${name}`);
      assert.equal(await ourError(token), 'PT401', `auth_ext accepts: ${name}`);
    }
    // and a token auth_ext signs with an expired exp is refused by jose
    await one(`SELECT auth.create_key('ES256')`);
    const ours = await one(`SELECT auth.jwt_sign(jsonb_build_object('sub', 'eve', 'exp', $1::bigint))`,
      [now() - 120]);
    const jwks = jose.createLocalJWKSet(await one('SELECT auth.jwks()'));
    await assert.rejects(jose.jwtVerify(ours, jwks, opts), /exp/);
    assert.equal(await ourError(ours), 'PT401');
  } finally {
    await q(`SELECT auth.configure('jwt.issuer', NULL), auth.configure('jwt.audience', NULL)`);
  }
});
