-- Explicit keys: PEM in every accepted structure (PKCS#1 and SEC1
-- private, PKCS#1 and SPKI public), JWK, HMAC secrets; jwt_encode header
-- handling; keys that must be refused.  The PEM keys below were generated
-- for this test only.
SET client_min_messages = warning;
CREATE TEMP TABLE pem(name text PRIMARY KEY, pem text);
INSERT INTO pem VALUES
('rsa1', '-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAue5UYnfeI2ZUMVGwlQQDlQWveWzGekF52wIdVArdAheWLqOO
YMYV6yA/hov8nnwedidjhRsn76257wipf5xctjBSZJiiqsjELO2FN7sWC5NIMSJL
VtoOlxoJ8uoKKfAT4bKcGGllDEgiSz10v0A7roJE19h5fdmZ6byYPofWIelyBHbU
QLd6hqcnPIfNYqn8zaOMKv+uEKaomFWA+zntt95Sea3mWIiOsnKlCLuIU28xfEk/
evhyyZRrqgr2QSkiOUm7VJdK+NIcrEqv9XzzTNUKqpzvdJ4EcdZM0TAG42AtMaOt
rin7BQpqfVFxe7Mv2XfFWIKQwB+UUnCovR4CzQIDAQABAoIBABVTddBZiVwsF4oU
oZll/XcxUMAvrtBFBFIPewexu0nLJMmyrtkAv3DZoQ+wrMgM2n2Y5PxWcg02svXs
22wspiGrhzfMnhPStVWl5LrQtaWcPhKMqXGLz1KbhPqcx4+p3s3ra6YNKK7w8yYI
JYTuPCo2/Oh5Bu5dcB70J848TF5VMysCQysKWN6B/JTK5CN7pcunV4ATG5f++AXG
CTcyHtkA/t3GVJS+omi05Uwbw/kh9F3BiAbBGMl2JtRaIYED8xGNrAcXRsUAeCXK
fUkJ6qw8o3s9YE/THuJ538cTDxYnnUv2nxZcUvvbam1VIlaNCXzghuHbtaD6psEO
bxH7ai0CgYEA7RZP4TodUB315k1+fTheSD06pTfcoH9x9sqqmVDTF2nn2GMW6TLU
MkdiE0qxc/BhDJlQrdts6AsFCJtgySlYKym/n90QlksuTcSpIwM7LYhKsNZNGqTe
RxQgz8ZUy9jHxDWOwc/A/5R2Z0BsrrIGq8OhhiYNO1816t+96aCZq9MCgYEAyMNU
NDLs/kbymraW2lF3skWm4Qs6W9MejrNFqAp2bvCeyWmuGdHrSc/cSwHx9xFs1lQ2
DC55eUnix8/vR+yeHcypfL1DR4TVHc3UMH/939l5b0E6bN2G6PAFt1BwSfNhFmm2
EsLyYxEAxz1RNPRmzT2l5TUppOkGjPP4C+TRkt8CgYAL2QCW5buPRGAEaTz37vgv
LfgfR4Jb9uJwDcKmtLZHxkASvSjo8GRQOub4xdPGUm3XHlY8yelQUzSmMHWOt+Uz
CvwLdhWdHRasRjaZjFDJvrTUz3C88x40eRoGqAeWxDd/Y5nFr6caXoXoNPz5YeYZ
cUZCGOayX9im6xVndmIXhwKBgQCUGQtPqlWLShkDKjhj+n764ki1cEvvmvDKwdJb
oMQ3GId5+tx0rZcNDynppxiwcolAHkT0fYAcifWiAnD4NMN7JhPNMeykoId6AfFK
idBkxg+/k3WfA1fXE+CTluIOm1v+ZaLreiXGEK/rSf9Sugvv0U9EoxACV+f+KKbN
V1GGLwKBgQDf4Q5q/TZrhiy8ZZiW7qhBESE2/xM2/Q8ZmOUYtPaDSD3U+K99heCA
1FHk+OnIYzL1LkAL4RQq8EV+/m8IXVAo3LrtT12xlaMF53D4JcVyZO8a32yMcP7S
Ms50wncPLSbRiWso5MRQkdGbV88zAzMvQDpTWhAb93LTiOJ7tIGaaw==
-----END RSA PRIVATE KEY-----'),
('rsapub1', '-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAue5UYnfeI2ZUMVGwlQQDlQWveWzGekF52wIdVArdAheWLqOOYMYV
6yA/hov8nnwedidjhRsn76257wipf5xctjBSZJiiqsjELO2FN7sWC5NIMSJLVtoO
lxoJ8uoKKfAT4bKcGGllDEgiSz10v0A7roJE19h5fdmZ6byYPofWIelyBHbUQLd6
hqcnPIfNYqn8zaOMKv+uEKaomFWA+zntt95Sea3mWIiOsnKlCLuIU28xfEk/evhy
yZRrqgr2QSkiOUm7VJdK+NIcrEqv9XzzTNUKqpzvdJ4EcdZM0TAG42AtMaOtrin7
BQpqfVFxe7Mv2XfFWIKQwB+UUnCovR4CzQIDAQAB
-----END RSA PUBLIC KEY-----'),
('rsaspki', '-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAue5UYnfeI2ZUMVGwlQQD
lQWveWzGekF52wIdVArdAheWLqOOYMYV6yA/hov8nnwedidjhRsn76257wipf5xc
tjBSZJiiqsjELO2FN7sWC5NIMSJLVtoOlxoJ8uoKKfAT4bKcGGllDEgiSz10v0A7
roJE19h5fdmZ6byYPofWIelyBHbUQLd6hqcnPIfNYqn8zaOMKv+uEKaomFWA+znt
t95Sea3mWIiOsnKlCLuIU28xfEk/evhyyZRrqgr2QSkiOUm7VJdK+NIcrEqv9Xzz
TNUKqpzvdJ4EcdZM0TAG42AtMaOtrin7BQpqfVFxe7Mv2XfFWIKQwB+UUnCovR4C
zQIDAQAB
-----END PUBLIC KEY-----'),
('ec', '-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIOlMurGkjYEPc06R8yZ63XMZsy/0cJtvMMlh6PqM2Zo+oAoGCCqGSM49
AwEHoUQDQgAE1bgMx6ut1B/TFS8ctzTV5Ngqm4UHJGRQ9yhUYPgO4ZT47f7jEI6e
r9tiLyNwH5Khl//i/QJxMBAJvLmTFSW7Hg==
-----END EC PRIVATE KEY-----'),
('ecspki', '-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1bgMx6ut1B/TFS8ctzTV5Ngqm4UH
JGRQ9yhUYPgO4ZT47f7jEI6er9tiLyNwH5Khl//i/QJxMBAJvLmTFSW7Hg==
-----END PUBLIC KEY-----'),
('ecenc', '-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgmEkWFqEcmKAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEDfAk9vO+jtnwK1vh1dM/bwEgZAi
x8fwF8aCH58vsPe2Fjp2TjXdsI8CusvMMlVUjiNOIHy/YWtR+LjEy4L4W++aLkwx
w4b5Hs0vyZ+yTcTIdPHrl4AGhGuJKLGUb+ewS7u+J8bOPKhw6f6eFp7+JuZqlraI
/Dsk3eV888I9Rc4Z0hlmh26nzXKeGQi10g/TDY8LoZUvdXPaYLhhySWiGXajbrI=
-----END ENCRYPTED PRIVATE KEY-----'),
('rsa1024', '-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMVG6RWFQmLFdfr7
qeHXivH1iV0UofZiXQLG4MevhNW3EnBVMiYeZ6fJk8BVRRe5259XpPlFVPNzVWdu
QhLkDpxhRhVSmmkN6O63U/xFvUFNY+WgGxrXzae6JTBk3396In6z6rPPMubzZZOk
lhPqhTACJ8MBTxITQ5GmqrxhM6RPAgMBAAECgYAML2UWPzTqhOfUqNbFbFrYtyHU
7gFTBqBYG5CmxOCfkr9A0QJX+GjOpFTL/HhYDtLR9Mfr3axxnR4ZVWYfZJbCVgcL
mhUcOG3MqRM70q6sOnAYjWaMjSoOktFbi5wdDTNdNblsUNrocbmkBOI8z2S7cLpW
SOVUL3+1sr/9Q/NgAQJBAP4cR62d0op10J1V93QALn2r4cOp/Mc8HQ7panBtU676
58TWYV+5AmuyIulyf0BU9iNROUm1eqbl3JYof/Y8nU8CQQDGvnF+fbUGW4XjW8/U
HEHK5FkD9g2j4b97rjd5ht9QsY5Dp+yZhG9eFTovG2D09+OEatZp9t3ysl/pss3g
TMkBAkB5XIBPRwT64/HScvBQEpYhpymYDWOQtAEc0hXnxA8njuWKeOjgkre5P8a0
v95Ol0VG8M/viCEf/MAxZv5WV/S5AkAvpbjP+pNL0uVmfLx2vc+INPaiXHsorxaZ
MEtcd1lSnz7cOYYfyABrLeulH4s/L678MCD3hpfvd5RHEvcIr2ABAkEAySk7k3ZW
oQsIQpMd3JjhewTKGLt6QuDgR4oCRrI9Xl3miw5TTcv+rrIuqFqwOHZFku+C/LOt
9VCsPzeDdNwLIQ==
-----END PRIVATE KEY-----'),
('ed448', '-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEOYUC7OmauNh3cVs2mcahBBWDMr8eDD/hcpBspq52vxyi
xHJI9Vw4BHZirEtUHDLJk8MlV7zKGteMZQ==
-----END PRIVATE KEY-----');
CREATE FUNCTION pg_temp.claims() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('sub', 'pem', 'exp', extract(epoch from now())::bigint + 600) $$;
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
  d text;
BEGIN
  EXECUTE sql INTO r;
  RETURN 'ok ' || r;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || SQLERRM || coalesce(': ' || nullif(d, ''), '');
END $$;

-- RSA: sign with the PKCS#1 private key, verify with the PKCS#1 and SPKI public keys
SELECT a AS alg,
       auth.jwt_decode(auth.jwt_encode(pg_temp.claims(), (SELECT pem FROM pem WHERE name = 'rsa1'), a),
                       (SELECT pem FROM pem WHERE name = 'rsapub1'), ARRAY[a])->>'sub' AS pkcs1_public,
       auth.jwt_decode(auth.jwt_encode(pg_temp.claims(), (SELECT pem FROM pem WHERE name = 'rsa1'), a),
                       (SELECT pem FROM pem WHERE name = 'rsaspki'), ARRAY[a])->>'sub' AS spki_public,
       auth.jwt_decode(auth.jwt_encode(pg_temp.claims(), (SELECT pem FROM pem WHERE name = 'rsa1'), a),
                       (SELECT pem FROM pem WHERE name = 'rsa1'), ARRAY[a])->>'sub' AS private_verifies
  FROM unnest('{RS256,RS384,RS512,PS256,PS384,PS512}'::text[]) a;
-- RS256 is deterministic: the same token twice; PS256 is randomised
SELECT auth.jwt_encode('{"a":1}', pem, 'RS256') = auth.jwt_encode('{"a":1}', pem, 'RS256') AS rs256_deterministic,
       auth.jwt_encode('{"a":1}', pem, 'PS256') = auth.jwt_encode('{"a":1}', pem, 'PS256') AS ps256_deterministic
  FROM pem WHERE name = 'rsa1';
-- an RS256 token does not verify as PS256 (the header says RS256)
SELECT pg_temp.try(format('SELECT auth.jwt_decode(%L, %L, %L)',
         auth.jwt_encode(pg_temp.claims(), (SELECT pem FROM pem WHERE name = 'rsa1'), 'RS256'),
         (SELECT pem FROM pem WHERE name = 'rsaspki'), '{PS256}')) AS rs256_as_ps256;
-- EC: SEC1 private, SPKI public; only ES256 fits a P-256 key
SELECT auth.jwt_decode(auth.jwt_encode(pg_temp.claims(), (SELECT pem FROM pem WHERE name = 'ec'), 'ES256'),
                       (SELECT pem FROM pem WHERE name = 'ecspki'), '{ES256}')->>'sub' AS es256;
SELECT pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(),
         (SELECT pem FROM pem WHERE name = 'ec'), 'ES384')) AS p256_for_es384;
SELECT pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(),
         (SELECT pem FROM pem WHERE name = 'ec'), 'HS256')) AS ec_pem_as_hmac;
SELECT pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(),
         (SELECT pem FROM pem WHERE name = 'ecspki'), 'ES256')) AS public_key_signs;
-- refused keys: encrypted, RSA 1024, Ed448, garbage PEM
SELECT name, pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(), pem, 'RS256')) AS refused
  FROM pem WHERE name IN ('ecenc', 'rsa1024', 'ed448') ORDER BY name;
SELECT pg_temp.try($$SELECT auth.jwt_encode('{}', '-----BEGIN PRIVATE KEY-----
AAAA
-----END PRIVATE KEY-----', 'RS256')$$) AS garbage_pem;
-- (the parser's message would quote the key: it must not appear)
SELECT pg_temp.try($$SELECT auth.jwt_encode('{}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"', 'HS256')$$) AS broken_jwk_json;

-- HMAC secrets: the text of the key; a JWK "oct" of the same bytes is the same key
SELECT auth.jwt_decode(auth.jwt_encode(pg_temp.claims(), repeat('s', 32), 'HS256'),
         '{"kty":"oct","k":"' || rtrim(translate(encode(repeat('s', 32)::bytea, 'base64'), '+/', '-_'), '=') || '"}')->>'sub' AS text_and_jwk_agree;
-- HS384/HS512 need secrets as long as their hash
SELECT pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(), repeat('s', 47), 'HS384')) AS hs384_47_bytes;
SELECT pg_temp.try(format('SELECT auth.jwt_encode(%L, %L, %L)', pg_temp.claims(), repeat('s', 48), 'HS384')) LIKE 'ok %' AS hs384_48_bytes;
-- the default algorithm list of jwt_decode is HS256 only
SELECT pg_temp.try(format('SELECT auth.jwt_decode(%L, %L)',
         auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS512'), repeat('s', 64))) AS hs512_not_in_default_list;
SELECT pg_temp.try($$SELECT auth.jwt_decode('a.b.c', 'k', '{}')$$) AS empty_algorithm_list;
-- the algorithm list is remembered per call site (fn_extra) by its bytes: rows
-- with other lists in the same query get their own (a stale list would accept
-- row 2 of the second query, or refuse row 2 of the first)
SELECT pg_temp.try(format($$SELECT string_agg(auth.jwt_decode(t, %L, a::text[])->>'sub', ',' ORDER BY n)
    FROM (VALUES (1, %L, '{HS256}'), (2, %L, '{HS512}'), (3, %L, '{HS384,HS256}')) v(n, t, a)$$,
    repeat('s', 64), auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS256'),
    auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS512'),
    auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS256'))) AS lists_per_row;
SELECT pg_temp.try(format($$SELECT string_agg(auth.jwt_decode(t, %L, a::text[])->>'sub', ',' ORDER BY n)
    FROM (VALUES (1, %L, '{HS256}'), (2, %L, '{HS512}')) v(n, t, a)$$,
    repeat('s', 64), auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS256'),
    auth.jwt_encode(pg_temp.claims(), repeat('s', 64), 'HS256'))) AS second_list_refuses;
SELECT pg_temp.try($$SELECT auth.jwt_decode('a.b.c', 'k', '{none}')$$) AS algorithm_none;

-- jwt_encode headers: alg is forced, typ defaults to JWT, extra members kept, crit refused
SELECT auth.jwt_decode_unverified(auth.jwt_encode('{"a":1}', repeat('s', 32), 'HS256',
         '{"alg":"none","kid":"k1","cty":"x"}'))->'header' AS header;
SELECT auth.jwt_decode_unverified(auth.jwt_encode('{"a":1}', repeat('s', 32), 'HS256',
         '{"typ":"at+jwt"}'))->'header' AS header;
SELECT pg_temp.try($$SELECT auth.jwt_encode('{"a":1}', repeat('s', 32), 'HS256', '{"crit":["b64"],"b64":false}')$$) AS crit;
SELECT pg_temp.try($$SELECT auth.jwt_encode('[1]', repeat('s', 32), 'HS256')$$) AS claims_array;
SELECT pg_temp.try($$SELECT auth.jwt_encode('{}', repeat('s', 32), 'XS256')$$) AS unknown_alg;
-- jwt_decode does not add or check iss/aud; it requires exp
SELECT pg_temp.try(format('SELECT auth.jwt_decode(%L, %L)',
         auth.jwt_encode('{"sub":"x"}', repeat('s', 32)), repeat('s', 32))) AS decode_without_exp;
