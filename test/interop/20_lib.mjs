// Helpers shared by the tokens area's node suites (20_*.test.mjs).
import pg from 'pg';

export const conn = (database) => ({
  host: process.env.PGHOST, port: Number(process.env.PGPORT), user: 'postgres', database,
});

// runs statements in the postgres database (CREATE/DROP DATABASE)
export async function admin(...statements) {
  const client = new pg.Client(conn('postgres'));
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

// a fresh database with auth_ext, and a connected client on it
export async function freshDatabase(name) {
  await admin(`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`);
  const client = new pg.Client(conn(name));
  await client.connect();
  await client.query('CREATE EXTENSION auth_ext');
  return client;
}

// the first column of the first row
export async function one(client, sql, params = []) {
  const { rows } = await client.query(sql, params);
  return rows[0][Object.keys(rows[0])[0]];
}

// the identity a token gives in one transaction of client c (rolled back):
// auth.user_id(), auth.role(), auth.uid(), auth.jwt(); or, when it does not
// verify, the detail of its PT401 (any other error fails the test)
export async function identityIn(c, token) {
  await c.query('BEGIN');
  try {
    await c.query('SELECT auth.jwt_verify($1)', [token]);
    const { rows } = await c.query(
      'SELECT auth.user_id() AS user_id, auth.role() AS role, auth.uid() AS uid, auth.jwt() AS jwt');
    return rows[0];
  } catch (e) {
    if (e.code !== 'PT401') throw e;
    return e.detail;
  } finally {
    await c.query('ROLLBACK');
  }
}
