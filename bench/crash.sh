#!/usr/bin/env bash
# Crash consistency (issue 16). The real server (the Release `aftercare serve`) takes presentations
# over HTTP from 4 clients and is killed with kill -9 (SIGKILL) at a random moment, then restarted
# and checked: every acknowledged write is there and whole, nothing is half-written, `audit verify`
# passes, and the server serves again. Four parts, each printed with its result:
#   1. SQLite (a file in a temp folder), N cycles;
#   2. PostgreSQL 15, throwaway cluster on loopback with durable settings (fsync on), N cycles; every
#      4th cycle the whole database server is killed with it (postmaster and its children), then
#      restarted (crash recovery);
#   3. the negative control: PostgreSQL with fsync=off, synchronous_commit=off and
#      wal_writer_delay=10s, the database killed right after an acknowledged write in every cycle:
#      the harness must report lost acknowledged writes, or a pass above would mean nothing;
#   4. the outbox: the server killed between claiming a caring email and sending it (and, second,
#      after the SMTP server took it but before its answer), on SQLite.
# The loop is driven by one process (`Aftercare.Bench crash`), so a cycle costs one server start.
# Usage: bench/crash.sh [--cycles N] [--control-cycles N] [--only sqlite|postgres|control|outbox]
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=1000; control_cycles=20; only=all
usage() { echo "usage: bench/crash.sh [--cycles N] [--control-cycles N] [--only sqlite|postgres|control|outbox]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles|--control-cycles)
      [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || usage
      if [ "$1" = --cycles ]; then cycles=$2; else control_cycles=$2; fi
      shift 2 ;;
    --only)
      [ $# -ge 2 ] && [[ "$2" =~ ^(sqlite|postgres|control|outbox)$ ]] || usage
      only=$2; shift 2 ;;
    *) usage ;;
  esac
done
wants() { [ "$only" = all ] || [ "$only" = "$1" ]; }

PGBIN=/usr/lib/postgresql/15/bin
if wants postgres || wants control; then
  [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 is missing: apt-get install postgresql (./test.sh installs it)." >&2; exit 1; }
fi
dotnet build -c Release bench/Aftercare.Bench -nologo -clp:ErrorsOnly -v:quiet >/dev/null
bench=(dotnet artifacts/bin/Aftercare.Bench/release/Aftercare.Bench.dll)
server=artifacts/bin/Aftercare/release/aftercare.dll

work=$(mktemp -d /tmp/aftercare-crash.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; as_pg=(runuser -u postgres --); fi
clusters=()
cleanup() {
  for dir in "${clusters[@]}"; do "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway cluster in $work/NAME on a loopback port; sets pg_start (the command that starts it again) and pg_connection.
cluster() {
  local name=$1 port=$(( 20000 + RANDOM % 20000 )) dir="$work/$1"; shift
  mkdir -p "$dir"; [ ${#as_pg[@]} -eq 0 ] || chown postgres:postgres "$dir"
  "${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  pg_start="$(printf '%q ' "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $*" start) >/dev/null"
  sh -c "$pg_start"
  clusters+=("$dir")
  "${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres aftercare_crash
  pg_data="$dir/data"
  pg_connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=aftercare_crash;Timeout=30"
}

declare -A verdict
run() { # NAME, then the driver's arguments; its output is shown and kept
  local name=$1; shift
  mkdir -p "$work/$name-keys"
  set +e
  "${bench[@]}" "$@" --port $(( 20000 + RANDOM % 20000 )) --keys "$work/$name-keys" --server "$server" --log "$work/$name-server.log" 2>&1 | tee "$work/$name.out"
  local code=${PIPESTATUS[0]}
  set -e
  return "$code"
}

if wants sqlite; then
  if run sqlite crash --db "$work/sqlite.db" --cycles "$cycles"; then verdict[sqlite]="PASS"; else verdict[sqlite]="FAIL (see above)"; fi
fi
if wants postgres; then
  cluster durable  # Debian's defaults: fsync on, synchronous_commit on
  if run postgres crash --db "$pg_connection" --cycles "$cycles" --postgres-data "$pg_data" --postgres-start "$pg_start" --postgres-every 4; then
    verdict[postgres]="PASS"; else verdict[postgres]="FAIL (see above)"; fi
fi
if wants control; then
  cluster control -c fsync=off -c synchronous_commit=off -c wal_writer_delay=10000ms
  if run control crash --db "$pg_connection" --cycles "$control_cycles" --postgres-data "$pg_data" --postgres-start "$pg_start" --control; then
    verdict[control]="NOT DETECTED: the harness found no loss where loss was expected"
  elif grep -qE '^LOST acknowledged writes: [1-9]' "$work/control.out"; then
    verdict[control]="DETECTED: $(grep -E '^LOST acknowledged writes' "$work/control.out") (as it should with fsync=off, synchronous_commit=off)"
  else
    verdict[control]="FAILED for another reason (see above)"
  fi
fi
if wants outbox; then
  if run outbox crash-outbox --db "$work/outbox.db"; then verdict[outbox]="PASS"; else verdict[outbox]="FAIL (see above)"; fi
fi

echo
echo "== bench/crash.sh: $cycles cycles per durable database, $control_cycles in the negative control =="
status=0
for part in sqlite postgres control outbox; do
  [ -n "${verdict[$part]:-}" ] || continue
  echo "  $part: ${verdict[$part]}"
  case "${verdict[$part]}" in PASS|DETECTED*) ;; *) status=1 ;; esac
done
exit "$status"
