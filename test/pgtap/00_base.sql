-- pgTAP: structure of the base objects.
BEGIN;
SELECT plan(3);
SELECT has_schema('auth');
SELECT has_table('auth', 'config', 'settings table exists');
SELECT throws_ok($$SELECT auth.configure('no.such_setting', '1')$$, '42704', NULL, 'unknown setting is refused');
SELECT * FROM finish();
ROLLBACK;
