#!/usr/bin/env bash
# Aftercare's one test command. Installs what is missing (Debian's postgresql, chromium,
# python3-aiosmtpd, dovecot-imapd, R), builds
# once, starts a throwaway PostgreSQL on a loopback port in a temporary folder, runs every test
# project (the integration tests on SQLite and on PostgreSQL, the browser tests on SQLite), stops
# what it started, and ends with one line: "N passed, N failed" (and ", N skipped" if any).
#
# While working (issue 12.6; never in CI, which runs everything):
#   ./test.sh fast                 the domain tests and the integration tests on SQLite only
#   ./test.sh --class NAME         one test class (full name, e.g. Aftercare.Tests.ConsentTests) in
#                                  every project that has it, on both databases and in the browser
#   ./test.sh fast --class NAME    that class on SQLite only
set -uo pipefail
cd "$(dirname "$0")"
fast=0
filter=()
while [ $# -gt 0 ]; do
  case $1 in
    fast) fast=1 ;;
    --class|-class|--method|-method)
      [ $# -ge 2 ] || { echo "$1 needs a name (e.g. $1 Aftercare.Tests.ConsentTests)."; exit 2; }
      filter=("-${1##*-}" "$2"); shift ;;
    *) echo "Unknown argument: $1. Use: ./test.sh [fast] [--class NAME | --method NAME]"; exit 2 ;;
  esac
  shift
done
root=$PWD
results="$root/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

say() { printf '\n==> %s\n' "$*"; }

# --- Prerequisites ------------------------------------------------------------------------------
PGBIN=/usr/lib/postgresql/15/bin
missing=()
[ -x "$PGBIN/initdb" ] || missing+=(postgresql)
{ [ -x /usr/bin/chromium ] || [ -x /usr/lib/chromium/chromium ]; } || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# A real SMTP server for the caring-message tests (started per test class on a loopback port).
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || missing+=(python3-aiosmtpd)
# A real IMAP server for the email-reply tests (Dovecot, started per test class on a loopback port).
[ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
# Node for the FHIR conformance suite, a third-party client (tests/conformance, fhir-kit-client from npm).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# R with survival, cmprsk and MASS (glm.nb), to check the programme evaluation's every number (docs/evaluation.md, EvaluationAgainstRTests).
command -v Rscript >/dev/null || missing+=(r-base-core)
[ -d /usr/lib/R/site-library/survival ] || [ -d /usr/lib/R/library/survival ] || missing+=(r-cran-survival)
[ -d /usr/lib/R/site-library/cmprsk ] || [ -d /usr/lib/R/library/cmprsk ] || missing+=(r-cran-cmprsk)
[ -d /usr/lib/R/site-library/MASS ] || [ -d /usr/lib/R/library/MASS ] || missing+=(r-cran-mass)
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing ${missing[*]} from Debian"
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi
command -v dotnet >/dev/null || { echo "The .NET SDK is missing (see global.json)."; echo "0 passed, 1 failed"; exit 1; }
if [ ! -d tests/conformance/node_modules/fhir-kit-client ]; then
  say "Installing the conformance suite's npm packages (tests/conformance)"
  (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || { echo "npm ci in tests/conformance failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# --- Build once ---------------------------------------------------------------------------------
say "Building"
if ! dotnet build Aftercare.slnx -nologo -clp:ErrorsOnly -v:quiet; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

# --- A throwaway PostgreSQL ---------------------------------------------------------------------
if [ $fast = 0 ]; then
pgdir=$(mktemp -d /tmp/aftercare-pg.XXXXXX)
pgport=$(( 20000 + RANDOM % 20000 ))
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$pgdir"
  as_pg=(runuser -u postgres --)
fi
stop_postgres() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_postgres EXIT
say "Starting PostgreSQL on 127.0.0.1:$pgport"
postgres_ok=0
if "${as_pg[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 \
  && "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
       -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
  postgres_ok=1
else
  echo "PostgreSQL did not start:"; tail -20 "$pgdir"/*.log 2>/dev/null
fi
fi

# --- Run the test projects ----------------------------------------------------------------------
bin="$root/artifacts/bin"
crashed=0
run() { # name, executable, then environment assignments
  local name=$1 exe=$2; shift 2
  say "Tests: $name"
  env "$@" "$exe" -noColor -noLogo -xml "$results/$name.xml" "${filter[@]}"
  local code=$?
  if [ ! -s "$results/$name.xml" ]; then
    echo "$name did not report results (exit $code)."
    crashed=$((crashed + 1))
  fi
}

run domain "$bin/Aftercare.Domain.Tests/debug/Aftercare.Domain.Tests"
run integration-sqlite "$bin/Aftercare.Tests/debug/Aftercare.Tests" AFTERCARE_TEST_DB=sqlite
if [ $fast = 1 ]; then
  say "Fast: PostgreSQL and the browser tests are left out (CI runs them)"
elif [ $postgres_ok = 1 ]; then
  run integration-postgres "$bin/Aftercare.Tests/debug/Aftercare.Tests" AFTERCARE_TEST_DB=postgres \
    "AFTERCARE_TEST_POSTGRES=Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres;Pooling=true"
else
  echo "The PostgreSQL run could not start: counted as a failure."
  crashed=$((crashed + 1))
fi
[ $fast = 1 ] || run browser "$bin/Aftercare.Browser.Tests/debug/Aftercare.Browser.Tests" AFTERCARE_TEST_DB=sqlite

# --- Sum up -------------------------------------------------------------------------------------
sum() { # attribute
  local total=0 file value
  for file in "$results"/*.xml; do
    [ -s "$file" ] || continue
    value=$(grep -o "<assembly [^>]*" "$file" | grep -o " $1=\"[0-9]*\"" | head -1 | grep -o '[0-9]*')
    total=$((total + ${value:-0}))
  done
  echo $total
}
# The names of failed tests, last, so that the tail of a CI log says which one failed.
list_failures() {
  local file
  for file in "$results"/*.xml; do
    [ -s "$file" ] || continue
    grep -o '<test [^>]*result="Fail"[^>]*>' "$file" | grep -o ' name="[^"]*"' | sed "s/^ name=\"\(.*\)\"$/  failed in $(basename "$file" .xml): \1/"
  done
}
passed=$(sum passed)
failed=$(( $(sum failed) + $(sum errors) + crashed ))
skipped=$(sum skipped)
echo
list_failures
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
