#!/usr/bin/env bash
# test/sh/70_layout.sh: the architecture of src/, checked on the compiled
# objects.  Each C file lives in the directory of its area (src/core, base,
# passwords, tokens, identity, accounts; auth_ext.c is the module entry); the
# file-level call graph is read from the objects make built (nm: each symbol a
# file leaves undefined, mapped to the file that defines it: the linker's own
# edges, not a grep), and must have no cycle between two files and no edge
# that goes up the area order (test/static/check_layout.pl; the order and its
# reasons: docs/00_design_notes.md, "Build and layout").  The checker is shown
# to fail on a made-up upward edge and a made-up cycle, and
# scripts/mutate.sh breaks the real tree both ways.  Also: src/core stays
# server-independent (fuzzed on its own), and PG_VERSION_NUM appears in the
# one compatibility header only.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 9

cd "$AUTH_ROOT" || bail "no AUTH_ROOT"
CHECK="perl test/static/check_layout.pl"

# the module's objects, as the Makefile lists them (OBJS)
SOURCES=(auth_ext.c src/*/*.c)
OBJS=()
stale=""
for c in "${SOURCES[@]}"; do
  o=${c%.c}.o
  OBJS+=("$o")
  { [ -f "$o" ] && ! [ "$c" -nt "$o" ]; } || stale="$stale $o"
done
loose=$(ls src/*.c src/*.h 2>/dev/null | tr '\n' ' ')
for c in src/*/*.c; do
  case ${c#src/} in core/*|base/*|passwords/*|tokens/*|identity/*|accounts/*) ;; *) loose="$loose $c" ;; esac
done
[ -z "$stale" ] && [ -z "$loose" ]
ok $? "every C file is in an area directory and compiled (${#OBJS[@]} objects)" \
  || { [ -n "$stale" ] && echo "#   missing or older than its source:$stale"; [ -n "$loose" ] && echo "#   not in an area directory: $loose"; }

EDGES=$($CHECK edges "${OBJS[@]}") || bail "nm failed on the objects"
n=$(printf '%s\n' "$EDGES" | grep -c .)
printf '%s\n' "$EDGES" | grep -qx 'src/tokens/jwt_sign.o src/base/admin.o auth_require_admin'
known=$?
[ "$n" -ge 40 ] && [ $known = 0 ]
ok $? "the call graph between files is read from the objects ($n edges, among them jwt_sign -> admin)" \
  || echo "#   edges read: $n; jwt_sign.o -> admin.o (auth_require_admin) found: $([ $known = 0 ] && echo yes || echo no)"

out=$(printf '%s\n' "$EDGES" | $CHECK order)
ok $? "no file calls a file of an area above its own (core < base < passwords < tokens < identity < accounts < module)" \
  || printf '%s\n' "$out" | sed 's/^/#   /'

out=$(printf '%s\n' "$EDGES" | $CHECK cycles)
ok $? "no two files call each other, directly or through others" \
  || printf '%s\n' "$out" | sed 's/^/#   /'

# the checker itself: a made-up upward edge and a made-up cycle are reported
# with their files and symbols (scripts/mutate.sh does the same to the real
# tree: layout-upward-call, layout-cycle)
out=$(printf '%s\n' 'src/identity/identity.o src/base/settings.o auth_register_settings' \
  'src/base/settings.o src/identity/identity.o auth_identity_set' | $CHECK order)
rc=$?
[ $rc = 1 ] && [ "$out" = "src/base/settings.o (base) calls src/identity/identity.o (identity), an area above it: auth_identity_set" ]
ok $? "an upward edge fails the order check, naming files and symbols" || echo "#   rc $rc, output: $out"

out=$(printf '%s\n' 'src/tokens/keyring.o src/tokens/keys.o auth_key_from_stored' 'src/tokens/keyring.o src/base/table_read.o auth_table_load' \
  'src/tokens/keys.o src/tokens/keyring.o keyring_generation' | $CHECK cycles)
rc=$?
[ $rc = 1 ] && grep -q '^cycle between src/tokens/keyring.o, src/tokens/keys.o:$' <<<"$out" \
  && grep -q 'src/tokens/keyring.o -> src/tokens/keys.o: auth_key_from_stored' <<<"$out" \
  && grep -q 'src/tokens/keys.o -> src/tokens/keyring.o: keyring_generation' <<<"$out"
ok $? "a cycle fails the cycle check, naming files and symbols" || echo "#   rc $rc, output: $out"

# "area/file.h" includes name the including file's area or one below it, so
# a header cannot carry an upward dependency in either
bad=$(for f in auth_ext.c src/*/*.[ch]; do
  mine=$(dirname "$f"); mine=${mine#src/}; [ "$f" = auth_ext.c ] && mine=module
  sed -n 's/^#include "\(core\|base\|passwords\|tokens\|identity\|accounts\)\/[a-z_]*\.h".*/\1/p' "$f" | while read -r a; do
    printf '%s\n' "src/$mine/x.o src/$a/x.o include" | $CHECK order >/dev/null || echo "$f includes from $a"
  done
done)
[ -z "$bad" ]
ok $? "headers are included from the file's own area or one below it" || printf '%s\n' "$bad" | sed 's/^/#   /'

bad=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]postgres' src/core/*.[ch])
[ -z "$bad" ]
ok $? "src/core is server-independent (no postgres.h): the fuzzers build it alone" || echo "#   $bad"

bad=$(grep -rln 'PG_VERSION_NUM' auth_ext.c src test/fuzz bench --include='*.c' --include='*.h' | grep -vx 'src/base/pg_compat.h')
[ -z "$bad" ] && grep -q 'PG_VERSION_NUM' src/base/pg_compat.h
ok $? "PG_VERSION_NUM is tested in src/base/pg_compat.h only" || echo "#   also in: $bad"

tap_done
