#!/usr/bin/env bash
# The dashboard's measures and the programme evaluation on a throwaway PostgreSQL 15 (like ./test.sh)
# holding N synthetic index presentations (default 1,000,000): migrate with the app's own start-up,
# seed by binary COPY in one process, measure in a fresh one (so its peak memory is the cases' own),
# then stop PostgreSQL and delete its folder.
# Usage: bench/run-measures-pg.sh [--people N]
set -euo pipefail
cd "$(dirname "$0")/.."
people=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --people) people=$2; shift 2 ;;
    *) echo "usage: bench/run-measures-pg.sh [--people N]" >&2; exit 2 ;;
  esac
done
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 is missing: apt-get install postgresql (./test.sh installs it)." >&2; exit 1; }
pgdir=$(mktemp -d /tmp/aftercare-bench-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Default (durable) settings, fsync on: the reads are what a service would see. Only the load is
# not WAL-logged twice: the seed runs before anything is measured.
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start >/dev/null
"${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres aftercare_bench
connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=aftercare_bench;Timeout=60;Command Timeout=0"
keys=$(mktemp -d /tmp/aftercare-bench-keys.XXXXXX)
trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir" "$keys"' EXIT
dotnet build -c Release bench/Aftercare.Bench -nologo -clp:ErrorsOnly -v:quiet
bench=(dotnet run -c Release --no-build --project bench/Aftercare.Bench -- measures-pg --connection "$connection" --keys "$keys")
"${bench[@]}" --seed --people "$people"
"${bench[@]}"
