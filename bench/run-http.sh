#!/usr/bin/env bash
# Runs the HTTP benchmark against a throwaway PostgreSQL on loopback (like ./test.sh), then stops it.
# Usage: bench/run-http.sh [--requests N] [--clients N] [--rounds N]   (--rounds: each case in N rounds, interleaved with its baselines)
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=/usr/lib/postgresql/15/bin
pgdir=$(mktemp -d /tmp/aftercare-bench-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable settings (fsync on), unlike the test cluster: these are the numbers a service would see.
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
"${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres aftercare_bench
dotnet run -c Release --project bench/Aftercare.Bench -- http --db "Host=127.0.0.1;Port=$port;Username=postgres;Database=aftercare_bench" "$@"
