#!/usr/bin/env bash
# scripts/chroot.sh: a Debian chroot per PostgreSQL major, for scripts/matrix.sh.
#
#   scripts/chroot.sh suite MAJOR          the Debian release that packages MAJOR
#   scripts/chroot.sh prepare MAJOR        creates the chroot if missing or stale; prints its path
#   scripts/chroot.sh copy MAJOR SRC       copies the source tree SRC into a fresh directory
#                                          inside the chroot; prints its path inside
#   scripts/chroot.sh run MAJOR [-b HOST:INSIDE]... -- CMD...
#                                          runs CMD as root inside it (prepares it first)
#
# Each chroot is made with debootstrap (variant minbase) from the mirror this host's
# apt uses, then gets its packages from Debian with apt-get: PostgreSQL MAJOR, its
# server headers, pgTAP, PgBouncer, the compilers (gcc, clang and clang's runtime for
# libFuzzer), Node and npm, and the libraries auth_ext links.  It lives outside the
# repository, in $AUTH_CHROOT_CACHE (default /var/cache/auth_ext/chroot), one directory
# per release, and is reused by later runs; a stamp file beside it records what it was
# made from (release, mirror, package list), so a changed list makes a new one.
#
# Inside, PostgreSQL needs /proc, /dev, /dev/pts and a /dev/shm tmpfs.  They are
# mounted in a private mount namespace (unshare), so they disappear when the run ends
# however it ends; on INT/TERM the processes started inside are ended, and an EXIT
# trap unmounts everything too.  A chroot is removed only after checking that nothing
# is mounted below it.  Debian is kept from starting a
# cluster (policy-rc.d exits 101) and from creating one (createcluster.conf).
# Needs root, debootstrap and unshare (util-linux).
set -euo pipefail

CACHE=${AUTH_CHROOT_CACHE:-/var/cache/auth_ext/chroot}
# bumped when the way a chroot is made changes, so old ones are rebuilt
FORMAT=1

chroot_suite() {
  case "$1" in
    17) echo trixie ;;
    18) echo sid ;;     # forky has no debootstrap script on Debian 12; sid's is the same
    *) echo "chroot.sh: no Debian release known to package PostgreSQL $1 (known: 17, 18)" >&2; return 1 ;;
  esac
}

# The first non-security "deb" URI of this host's apt sources (deb822 or one-line form).
host_mirror() {
  local f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'BEGIN { RS = ""; FS = "\n" }
        { u = ""; t = ""; s = ""
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^URIs:/)   { u = $i; sub(/^URIs:[ \t]*/, "", u) }
            if ($i ~ /^Types:/)  t = $i
            if ($i ~ /^Suites:/) s = $i }
          if (t ~ /[ \t]deb([ \t]|$)/ && u != "" && u !~ /security/ && s !~ /security/) { split(u, a, " "); print a[1] } }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $2 !~ /security/ && $3 !~ /security/ { print $2 }'
    done
  } | head -1
}

packages() { # packages MAJOR: the list, with CLANG standing for clang's runtime package
  local m=$1
  echo "postgresql-$m postgresql-server-dev-$m postgresql-$m-pgtap
        libtap-parser-sourcehandler-pgtap-perl pgbouncer libssl-dev libargon2-dev libcrypt-dev
        gcc make clang CLANG time nodejs npm ca-certificates" | tr -s ' \n' ' '
}

# ---- mounts ----
mounts_below() { # mount points at or below DIR, deepest first
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
chroot_umount() {
  local dir=$1 m
  for m in $(mounts_below "$dir"); do umount "$m" 2>/dev/null || umount -l "$m"; done
}
chroot_mount() {
  local dir=$1
  mount -t proc proc "$dir/proc"
  mount --bind /dev "$dir/dev"
  mount --bind /dev/pts "$dir/dev/pts"
  mkdir -p "$dir/dev/shm"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$dir/dev/shm"
}
in_chroot() { # in_chroot DIR CMD...: a clean environment inside
  local dir=$1; shift
  chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    ${CI:+CI=$CI} "$@"
}

remove_chroot() {
  local dir=$1
  [ -e "$dir" ] || return 0
  chroot_umount "$dir"
  if [ -n "$(mounts_below "$dir")" ]; then
    echo "chroot.sh: $dir still has mounts below it; not removing it" >&2; return 1
  fi
  rm -rf --one-file-system "$dir"
}

# ---- creation ----
create() { # create MAJOR SUITE DIR STAMP: debootstrap + packages (runs in the namespace)
  local m=$1 suite=$2 dir=$3 stamp=$4 mirror
  mirror=$(host_mirror)
  remove_chroot "$dir"
  rm -f "$stamp"
  mkdir -p "$dir"
  echo "chroot.sh: debootstrap $suite into $dir" >&2
  local t0=$SECONDS
  debootstrap --variant=minbase "$suite" "$dir" ${mirror:+"$mirror"} >"$dir.debootstrap.log" 2>&1 \
    || { tail -30 "$dir.debootstrap.log" >&2; return 1; }
  echo "chroot.sh: debootstrap took $((SECONDS - t0)) s" >&2

  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
  mkdir -p "$dir/etc/postgresql-common"
  echo "create_main_cluster = false" >"$dir/etc/postgresql-common/createcluster.conf"
  cat >"$dir/etc/apt/apt.conf.d/90auth-ext" <<'APT'
// sid's Release file may be past its Valid-Until
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
Dpkg::Options { "--force-confold"; };
APT
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # this machine's own CA certificates (npm reaches its registry through them)
  mkdir -p "$dir/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/" 2>/dev/null || true

  CHROOT=$dir
  chroot_mount "$dir"
  t0=$SECONDS
  in_chroot "$dir" apt-get update -qq
  local clang_v pkgs
  clang_v=$(in_chroot "$dir" apt-cache depends clang | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1)
  [ -n "$clang_v" ] || { echo "chroot.sh: cannot tell which clang $suite has" >&2; return 1; }
  pkgs=$(packages "$m" | sed "s/CLANG/libclang-rt-$clang_v-dev/")
  # shellcheck disable=SC2086
  in_chroot "$dir" apt-get install -y -qq $pkgs >"$dir.apt.log" 2>&1 || { tail -30 "$dir.apt.log" >&2; return 1; }
  in_chroot "$dir" update-ca-certificates >/dev/null 2>&1
  in_chroot "$dir" apt-get clean
  echo "chroot.sh: packages took $((SECONDS - t0)) s ($pkgs)" >&2
  chroot_umount "$dir"
  stamp_text "$m" "$suite" >"$stamp"
}

stamp_text() { printf 'format %s\nsuite %s\nmirror %s\npackages %s\n' "$FORMAT" "$2" "$(host_mirror)" "$(packages "$1")"; }

prepare() { # prepare MAJOR: prints the chroot's path; creates it when missing or stale
  local m=$1 suite dir stamp
  suite=$(chroot_suite "$m")
  dir=$CACHE/$suite
  stamp=$dir.stamp
  mkdir -p "$CACHE"
  exec 8>"$dir.lock"
  flock 8
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stamp_text "$m" "$suite")" ] || [ ! -x "$dir/usr/lib/postgresql/$m/bin/postgres" ]; then
    ( AUTH_CHROOT_NS=1 unshare --mount --propagation private -- "$0" _create "$m" "$suite" "$dir" "$stamp" ) >&2 || return 1
  fi
  flock -u 8
  echo "$dir"
}

# copy MAJOR SRC: git's tracked files of SRC and the untracked ones it does not ignore
# (without git: all but build products), so no build product of the host gets in
copy() {
  local m=$1 src=$2 dir dest
  dir=$(prepare "$m") || return 1
  mkdir -p "$dir/build"
  dest=$(mktemp -d "$dir/build/auth_ext.XXXXXX")
  chmod 755 "$dest"
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -z -co --exclude-standard \
      | tar -C "$src" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$dest" -xf -
  else
    tar -C "$src" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=node_modules \
      --exclude=tmp_check --exclude=results --exclude=test/fuzz/build --exclude=bench/build -cf - . \
      | tar -C "$dest" -xf -
  fi
  echo "${dest#"$dir"}"
}

run() { # run MAJOR [-b HOST:INSIDE]... -- CMD...
  local m=$1; shift
  local binds=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -b) binds+=("$2"); shift 2 ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  local dir
  dir=$(prepare "$m") || return 1
  AUTH_CHROOT_NS=1 exec unshare --mount --propagation private -- "$0" _run "$dir" "${binds[@]/#/-b=}" -- "$@"
}

_run() { # (inside the namespace) _run DIR [-b=HOST:INSIDE]... -- CMD...
  CHROOT=$1; shift
  trap 'chroot_umount "$CHROOT"' EXIT
  trap 'exit 130' INT TERM
  chroot_mount "$CHROOT"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    local b=${1#-b=} host inside
    host=${b%%:*}; inside=${b#*:}
    mkdir -p "$CHROOT$inside"
    mount --bind "$host" "$CHROOT$inside"
    shift
  done
  shift
  # shared lock: a rebuild (exclusive) waits for running tests
  exec 8>"$CHROOT.lock"
  flock -s 8
  # in the background, so that a signal is handled at once, not when CMD ends
  in_chroot "$CHROOT" "$@" &
  trap 'stop_chroot_processes "$CHROOT"; exit 130' INT TERM
  local rc=0
  wait $! || rc=$?
  return $rc
}

# Ends the processes this run started inside the chroot (test scripts, servers):
# those whose root directory is DIR.  TERM, then KILL what is left after 5 s.
stop_chroot_processes() {
  local dir=$1 sig p pids alive
  for sig in TERM KILL; do
    pids=""
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$dir" ] && pids="$pids ${p#/proc/}"
    done
    [ -n "$pids" ] || return 0
    for p in $pids; do kill -s "$sig" "$p" 2>/dev/null; done
    for _ in $(seq 50); do
      sleep 0.1
      alive=""
      for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      pids=$alive
      [ -n "$pids" ] || return 0
    done
  done
}

[ "$(id -u)" = 0 ] || { echo "chroot.sh: must run as root (debootstrap, chroot, mount)" >&2; exit 1; }
cmd=${1:-}; shift || true
case "$cmd" in
  suite)   chroot_suite "$@" ;;
  prepare) prepare "$@" ;;
  copy)    copy "$@" ;;
  run)     run "$@" ;;
  _create) CHROOT=$3; trap 'chroot_umount "$CHROOT"' EXIT; trap 'exit 130' INT TERM; create "$@" ;;
  _run)    _run "$@" ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
