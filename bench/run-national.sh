#!/usr/bin/env bash
# Issue 16 at national scale, on a throwaway PostgreSQL 15 (like ./test.sh): migrate with the app's
# own start-up, seed a national service by binary COPY (default 1,000,000 people, about 2,000,000
# presentations, 10,000,000 contacts, 2,000,000 referrals, 10,000,000 audit events over the last
# year), then in a fresh process measure the worklists over HTTP beside their index-only SQL; then
# stop PostgreSQL and delete its folder.
# Usage: bench/run-national.sh [--people N] [--audit N] [--requests N] [--clients N]
set -euo pipefail
cd "$(dirname "$0")/.."
people=1000000; audit=10000000; requests=1000; clients=1
usage() { echo "usage: bench/run-national.sh [--people N] [--audit N] [--requests N] [--clients N]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --people|--audit|--requests|--clients)
      [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || usage
      declare "${1#--}=$2"; shift 2 ;;
    *) usage ;;
  esac
done
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 is missing: apt-get install postgresql (./test.sh installs it)." >&2; exit 1; }
pgdir=$(mktemp -d /tmp/aftercare-national-pg.XXXXXX)
keys=$(mktemp -d /tmp/aftercare-national-keys.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir" "$keys"' EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable settings (fsync on) as a service runs them; a larger WAL so the load is not one checkpoint after another.
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c max_wal_size=8GB -c shared_buffers=1GB" start >/dev/null
"${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres aftercare_national
connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=aftercare_national;Timeout=60;Command Timeout=0"
dotnet build -c Release bench/Aftercare.Bench -nologo -clp:ErrorsOnly -v:quiet
bench=(dotnet run -c Release --no-build --project bench/Aftercare.Bench -- national --connection "$connection" --keys "$keys")
"${bench[@]}" --seed --people "$people" --audit "$audit"
"${bench[@]}" --requests "$requests" --clients "$clients"
echo "Database size: $("${as_pg[@]}" psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT pg_size_pretty(pg_database_size('aftercare_national'))")"
# The seeded year of audit is one chain with the app's key: verify it as an operator would.
Aftercare__DataProtection__KeysFolder="$keys" dotnet artifacts/bin/Aftercare/release/aftercare.dll audit verify --db "$connection"
