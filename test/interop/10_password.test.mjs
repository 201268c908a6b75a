// plan: 19 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// Password interop, live: hashes made at test time by the real bcryptjs and
// better-auth packages are verified by auth.verify_password, and bcrypt
// hashes made by auth.hash_password are verified by bcryptjs.  Every
// positive has a wrong-password negative.  Our scrypt and PBKDF2 strings are
// also decoded by their published formats and recomputed with node:crypto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import bcrypt from 'bcryptjs';
import { hashPassword as betterAuthHash, verifyPassword as betterAuthVerify } from 'better-auth/crypto';

const DB = 't10_interop';
const conn = (database) => new pg.Client({
  host: process.env.PGHOST, port: Number(process.env.PGPORT), user: 'postgres', database,
});
let admin;
let db;

const utf8Len = (s) => Buffer.byteLength(s, 'utf8');

// bcrypt reads at most 72 bytes: its passwords stay within that
const BCRYPT_PASSWORDS = {
  ascii: 'correct horse battery staple',
  unicode: 'пароль 密码 🔑 Ünïcödé',
  long72: 'Tr0ub4dor&3-' + 'a1B2c3D4e5'.repeat(6),
  unicode72: 'ключ🔑'.repeat(6),
};
const BETTER_AUTH_PASSWORDS = {
  ascii: 'correct horse battery staple',
  unicode: 'пароль 密码 🔑 Ünïcödé',
  long200: 'The quick brown fox — jumps over the lazy dog; ' .repeat(5).slice(0, 200),
  nfkc: 'Ｐａｓｓｗｏｒｄ①ﬁ',
};

async function verify(password, hash) {
  const r = await db.query('SELECT auth.verify_password($1, $2) AS ok', [password, hash]);
  return r.rows[0].ok;
}

before(async () => {
  admin = conn('postgres');
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  db = conn(DB);
  await db.connect();
  await db.query('CREATE EXTENSION auth_ext');
  // cost is not what these tests are about
  await db.query("SELECT auth.configure('password.bcrypt_cost', '5')");
});

after(async () => {
  await db?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

test('password lengths are what the tests claim', () => {
  assert.equal(utf8Len(BCRYPT_PASSWORDS.long72), 72);
  assert.equal(utf8Len(BCRYPT_PASSWORDS.unicode72), 72);
  assert.equal(BETTER_AUTH_PASSWORDS.long200.length, 200);
  assert.ok(utf8Len(BETTER_AUTH_PASSWORDS.long200) > 200, 'long200 has multibyte characters');
});

for (const [name, password] of Object.entries(BCRYPT_PASSWORDS)) {
  test(`bcryptjs hash of a ${name} password verifies in PostgreSQL`, async () => {
    const hash = bcrypt.hashSync(password, 4);
    assert.match(hash, /^\$2b\$04\$/);
    assert.equal(await verify(password, hash), true);
    assert.equal(await verify(password.slice(0, -1) + '!', hash), false, 'wrong password');
  });
}

test('bcryptjs $2a$ hash (ASCII: same algorithm as $2b$) verifies in PostgreSQL', async () => {
  const password = BCRYPT_PASSWORDS.ascii;
  const hash = bcrypt.hashSync(password, 4).replace(/^\$2b\$/, '$2a$');
  assert.equal(bcrypt.compareSync(password, hash), true, 'bcryptjs agrees');
  assert.equal(await verify(password, hash), true);
  assert.equal(await verify(password + 'x', hash), false, 'wrong password');
});

test('bcrypt hashes of > 72 bytes: bcryptjs and PostgreSQL both read 72 bytes when verifying', async () => {
  const password = 'p'.repeat(72) + 'ignored by bcrypt';
  const hash = bcrypt.hashSync(password, 4);
  assert.equal(await verify(password, hash), true);
  assert.equal(await verify('p'.repeat(72), hash), true, 'the 72-byte rule, as bcryptjs applies it');
  assert.equal(await verify('p'.repeat(71), hash), false, 'wrong password');
  // but PostgreSQL never makes such a hash: it refuses instead of truncating
  await assert.rejects(db.query("SELECT auth.hash_password($1, 'bcrypt')", [password]),
    (e) => e.code === '22023');
});

for (const [name, password] of Object.entries(BCRYPT_PASSWORDS)) {
  test(`PostgreSQL bcrypt hash of a ${name} password verifies in bcryptjs`, async () => {
    const r = await db.query("SELECT auth.hash_password($1, 'bcrypt') AS h", [password]);
    const hash = r.rows[0].h;
    assert.match(hash, /^\$2b\$05\$[./A-Za-z0-9]{53}$/);
    assert.equal(bcrypt.compareSync(password, hash), true);
    assert.equal(bcrypt.compareSync(password.slice(0, -1) + '!', hash), false, 'wrong password');
  });
}

for (const [name, password] of Object.entries(BETTER_AUTH_PASSWORDS)) {
  test(`better-auth hash of a ${name} password verifies in PostgreSQL`, async () => {
    const hash = await betterAuthHash(password);
    assert.match(hash, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
    assert.equal(await betterAuthVerify({ hash, password }), true, 'better-auth agrees');
    assert.equal(await verify(password, hash), true);
    assert.equal(await verify(password + ' ', hash), false, 'wrong password');
  });
}

test('better-auth NFKC: the normalised form of a password verifies too, as in better-auth', async () => {
  const password = BETTER_AUTH_PASSWORDS.nfkc;
  const normalised = password.normalize('NFKC');
  assert.notEqual(normalised, password);
  const hash = await betterAuthHash(password);
  assert.equal(await betterAuthVerify({ hash, password: normalised }), true, 'better-auth agrees');
  assert.equal(await verify(normalised, hash), true);
  assert.equal(await verify(normalised.toLowerCase(), hash), false, 'wrong password');
});

test('a tampered better-auth key does not verify', async () => {
  const password = BETTER_AUTH_PASSWORDS.ascii;
  const hash = await betterAuthHash(password);
  const last = hash.at(-1) === '0' ? '1' : '0';
  assert.equal(await verify(password, hash.slice(0, -1) + last), false);
});

// Our own scrypt and PBKDF2 strings, decoded by their published formats and
// recomputed with node:crypto: the encodings are what passlib documents.
const b64 = (s) => Buffer.from(s, 'base64');            // PHC: standard alphabet, no padding
const ab64 = (s) => b64(s.replaceAll('.', '+'));        // passlib: '.' instead of '+'

test('PostgreSQL $scrypt$ hashes recompute with node:crypto scrypt', async () => {
  const password = 'pässword ✓';
  const r = await db.query(`SELECT auth.hash_password($1, 'scrypt', '{"ln": 12, "r": 8, "p": 2}') AS h`, [password]);
  const m = r.rows[0].h.match(/^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/);
  assert.ok(m, r.rows[0].h);
  const [, ln, rr, p, salt, key] = m;
  assert.deepEqual([ln, rr, p], ['12', '8', '2']);
  assert.equal(b64(salt).length, 16);
  const dk = scryptSync(password, b64(salt), b64(key).length, { N: 2 ** Number(ln), r: Number(rr), p: Number(p) });
  assert.ok(timingSafeEqual(dk, b64(key)));
  assert.ok(!timingSafeEqual(scryptSync('wrong', b64(salt), 32, { N: 4096, r: 8, p: 2 }), b64(key)), 'wrong password');
});

test('PostgreSQL $pbkdf2-sha256$ (passlib) hashes recompute with node:crypto pbkdf2', async () => {
  const password = 'pässword ✓';
  const r = await db.query(`SELECT auth.hash_password($1, 'pbkdf2-sha256', '{"i": 5000}') AS h`, [password]);
  const m = r.rows[0].h.match(/^\$pbkdf2-sha256\$(\d+)\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/);
  assert.ok(m, r.rows[0].h);
  const [, rounds, salt, key] = m;
  assert.equal(rounds, '5000');
  const dk = pbkdf2Sync(password, ab64(salt), 5000, ab64(key).length, 'sha256');
  assert.ok(timingSafeEqual(dk, ab64(key)));
  assert.ok(!timingSafeEqual(pbkdf2Sync('wrong', ab64(salt), 5000, 32, 'sha256'), ab64(key)), 'wrong password');
});
