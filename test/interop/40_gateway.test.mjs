// plan: 5 (tests and subtests, as node --test counts them; scripts/test.sh checks it)
// The PostgREST-protocol test double itself (test/gateway/gateway.mjs): what
// SQL sees of a request, what the response takes from SQL, and the
// SQLSTATE -> HTTP mapping, so that the HTTP suites test auth_ext and not
// an accident of the gateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES, setup, teardown } from './40_http_lib.mjs';

let ctx;
before(async () => {
  ctx = await setup('t40_gateway');
  await ctx.sql(`
    CREATE FUNCTION todo.t40_echo() RETURNS jsonb LANGUAGE sql STABLE AS $$
      SELECT jsonb_build_object(
        'role', current_user,
        'method', current_setting('request.method', true),
        'path', current_setting('request.path', true),
        'headers', current_setting('request.headers', true)::jsonb,
        'cookies', current_setting('request.cookies', true)::jsonb,
        'claims', current_setting('request.jwt.claims', true)::jsonb,
        'read_only', current_setting('transaction_read_only'),
        'user_id', auth.user_id(),
        'search_path', current_setting('search_path'))
    $$;
    CREATE FUNCTION todo.t40_respond() RETURNS jsonb LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM set_config('response.status', '202', true);
      PERFORM set_config('response.headers', '[{"X-T40": "yes"}, {"Cache-Control": "no-store"}]', true);
      RETURN '{"accepted": true}';
    END $$;
    CREATE FUNCTION todo.t40_raise(code text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION USING ERRCODE = code, MESSAGE = 'raised ' || code, DETAIL = 'd', HINT = 'h';
    END $$;`);
});
after(async () => { await teardown(ctx); });

test('SQL sees the request: method, path, lowercased headers, cookies, anonymous role', async () => {
  const r = await ctx.call('POST', '/rpc/t40_echo', {
    body: {}, headers: { 'X-Custom-Header': 'Value', Cookie: 'a=1; session=xyz' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.json.role, ROLES.anon);
  assert.equal(r.json.method, 'POST');
  assert.equal(r.json.path, '/rpc/t40_echo');
  assert.equal(r.json.headers['x-custom-header'], 'Value');
  assert.ok(Object.keys(r.json.headers).every((k) => k === k.toLowerCase()));
  assert.deepEqual(r.json.cookies, { a: '1', session: 'xyz' });
  assert.equal(r.json.read_only, 'off');
  assert.equal(r.json.user_id, null);
  assert.match(r.json.search_path, /^"?todo"?, "?public"?$/);
});

test('with a token: the role claim becomes the role, claims are in request.jwt.claims, pre_request sets the identity', async () => {
  const s = await ctx.call('POST', '/rpc/signup', { body: { email: 'gw@example.com', password: 'password-gw', name: 'Gw' } });
  const r = await ctx.call('GET', '/rpc/t40_echo', { token: s.json.token });
  assert.equal(r.status, 200);
  assert.equal(r.json.role, ROLES.user);
  assert.equal(r.json.claims.sub, s.json.user.id);
  assert.equal(r.json.user_id, s.json.user.id, 'auth.pre_request() verified the bearer token');
  assert.equal(r.json.read_only, 'on', 'GET runs in a READ ONLY transaction');
});

test('response.status and response.headers set by SQL are honoured', async () => {
  const r = await ctx.call('POST', '/rpc/t40_respond', { body: {} });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('x-t40'), 'yes');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.text, '{"accepted": true}');
});

test('SQLSTATE -> HTTP status as PostgREST maps it, with its error body', async () => {
  const cases = [['PT401', 401], ['PT402', 402], ['P0001', 400], ['23505', 409], ['23503', 409],
    ['22023', 400], ['23514', 400], ['42501', 401], ['53300', 503], ['XX000', 500]];
  for (const [code, status] of cases) {
    const r = await ctx.call('POST', '/rpc/t40_raise', { body: { code } });
    assert.equal(r.status, status, code);
    assert.deepEqual(r.json, { code, details: 'd', hint: 'h', message: `raised ${code}` }, code);
    assert.equal(r.headers.get('www-authenticate'), status === 401 ? 'Bearer' : null, code);
  }
  const s = await ctx.call('POST', '/rpc/signin', { body: { email: 'gw@example.com', password: 'password-gw' } });
  const auth = await ctx.call('POST', '/rpc/t40_raise', { body: { code: '42501' }, token: s.json.token });
  assert.equal(auth.status, 403, '42501 is 403 for an authenticated request');
});

test('an unknown function is 404; another Authorization scheme is anonymous', async () => {
  const r = await ctx.call('POST', '/rpc/no_such_function', { body: {} });
  assert.equal(r.status, 404);
  assert.equal(r.json.code, '42883');
  const b = await ctx.call('POST', '/rpc/t40_echo', { body: {}, headers: { Authorization: 'Basic abc' } });
  assert.equal(b.status, 200);
  assert.equal(b.json.role, ROLES.anon);
  assert.equal(b.json.user_id, null);
});
