#!/usr/bin/env bash
# Issue 16: the SQL of the searches that name one person, at national scale, each beside the form it
# replaced, in one run (EXPLAIN ANALYZE, warm: each statement is run once to warm, then 3 times).
#   1. a Patient search by MRN filtered by need-to-know asked of each person found (RecordAccess.OpenAmong)
#      against the filter it replaced, Id IN (the caller's whole care team as a UNION);
#   2. Find a person by part of a family name on the trigram indexes (migration PersonFinderIndexes)
#      against the same statement without them (dropped inside a transaction that is rolled back);
#   3. a date of birth alone, with its index and without it (the same way).
# The SQL is the shape EF Core sends (read from its command log), with the values written in.
# Run it against a database seeded by `Aftercare.Bench national --seed` (bench/run-national.sh keeps
# none, so seed one of your own, docs/performance.md "Reproducing").
# Usage: bench/explain-national.sh --connection 'host=127.0.0.1 port=26543 user=postgres dbname=aftercare_national'
set -euo pipefail
connection=""
usage() { echo "usage: bench/explain-national.sh --connection 'libpq connection string'" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --connection) [ $# -ge 2 ] || usage; connection=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$connection" ] || usage
q() { psql "$connection" -X -At -v ON_ERROR_STOP=1 "$@"; }

# A member of staff with one site, one person who presented there (by MRN), the end of their family name.
read -r user mrn fragment born < <(q -F ' ' -c '
  SELECT s."UserId", i."Value", right(lower(x."FamilyName"), 5), x."DateOfBirth"
  FROM "StaffSites" s JOIN "Presentations" p ON p."SiteId" = s."SiteId"
  JOIN "PersonIdentifiers" i ON i."PersonId" = p."PersonId" AND i."Kind" = '"'Mrn'"'
  JOIN "People" x ON x."Id" = p."PersonId" LIMIT 1')
[ -n "${user:-}" ] || { echo "No member of staff with a site and a person there: seed the database first." >&2; exit 1; }
team=$(q -c "SELECT count(DISTINCT p.\"PersonId\") FROM \"Presentations\" p JOIN \"StaffSites\" s ON s.\"SiteId\" = p.\"SiteId\" WHERE s.\"UserId\" = '$user'")
people=$(q -c 'SELECT count(*) FROM "People"')
echo "explain-national: $people people; a member of staff whose site has $team people; $(nproc) cores, $(date -u +%Y-%m-%d)"

standing="EXISTS (SELECT 1 FROM \"Presentations\" p3 WHERE p3.\"PersonId\" = p.\"Id\" AND EXISTS (SELECT 1 FROM \"StaffSites\" s0 WHERE s0.\"UserId\" = '$user' AND s0.\"SiteId\" = p3.\"SiteId\"))
  OR EXISTS (SELECT 1 FROM \"CareAssignments\" c0 WHERE c0.\"UserId\" = '$user' AND c0.\"PersonId\" = p.\"Id\")"
glass="EXISTS (SELECT 1 FROM \"BreakGlassGrants\" b0 WHERE b0.\"UserId\" = '$user' AND b0.\"PersonId\" = p.\"Id\" AND b0.\"GrantedAt\" <= now() AND b0.\"ExpiresAt\" > now())"
by_mrn="EXISTS (SELECT 1 FROM \"PersonIdentifiers\" p0 WHERE p0.\"PersonId\" = p.\"Id\" AND p0.\"Kind\" = 'Mrn' AND p0.\"Value\" = ANY ('{$mrn}'))"
union="p.\"Id\" IN (SELECT p1.\"PersonId\" FROM \"Presentations\" p1 WHERE EXISTS (SELECT 1 FROM \"StaffSites\" s WHERE s.\"UserId\" = '$user' AND s.\"SiteId\" = p1.\"SiteId\")
  UNION SELECT c.\"PersonId\" FROM \"CareAssignments\" c WHERE c.\"UserId\" = '$user'
  UNION SELECT b.\"PersonId\" FROM \"BreakGlassGrants\" b WHERE b.\"UserId\" = '$user' AND b.\"GrantedAt\" <= now() AND b.\"ExpiresAt\" > now())"
search="SELECT p.\"Id\", p.\"GivenName\", p2.\"Kind\", p2.\"Value\", $standing, $glass FROM \"People\" p LEFT JOIN \"PersonIdentifiers\" p2 ON p2.\"PersonId\" = p.\"Id\""
finder="SELECT p.\"Id\", p.\"GivenName\", p.\"FamilyName\", ($standing) OR $glass FROM \"People\" p"
order='ORDER BY p."FamilyName", p."GivenName", p."DateOfBirth" LIMIT 50'

# Runs the statement once to warm, then 3 times, and prints the execution times. Each run is one
# transaction, rolled back: "before" drops the indexes inside it, so the planner chooses as it did
# without them and nothing is changed.
measure() {
  local label=$1 settings=$2 sql=$3 times=()
  for run in 0 1 2 3; do
    local t
    t=$(q -c "BEGIN" -c "$settings" -c "EXPLAIN (ANALYZE, COSTS OFF) $sql" -c "ROLLBACK" | sed -n 's/^Execution Time: \(.*\) ms$/\1/p')
    [ "$run" = 0 ] || times+=("$t")
  done
  printf '  %-72s %s ms\n' "$label" "${times[*]}"
}

echo "1. Patient search by MRN, need-to-know:"
measure "Id IN (the care team as a UNION), as before" "SET LOCAL jit = off" "$search WHERE $by_mrn AND $union ORDER BY p.\"Id\""
measure "asked of each person found (RecordAccess.OpenAmong)" "SET LOCAL jit = off" "$search WHERE $by_mrn AND (($standing) OR $glass) ORDER BY p.\"Id\""
echo "2. Find a person by part of a family name ('$fragment'):"
measure "before the trigram indexes (dropped inside the transaction)" "SET LOCAL jit = off; DROP INDEX \"IX_People_GivenName_Trigram\"; DROP INDEX \"IX_People_FamilyName_Trigram\"" "$finder WHERE (lower(p.\"GivenName\") LIKE '%$fragment%' OR lower(p.\"FamilyName\") LIKE '%$fragment%') $order"
measure "the trigram indexes" "SET LOCAL jit = off" "$finder WHERE (lower(p.\"GivenName\") LIKE '%$fragment%' OR lower(p.\"FamilyName\") LIKE '%$fragment%') $order"
echo "3. Find a person by date of birth alone:"
measure "before its index (dropped inside the transaction)" "SET LOCAL jit = off; DROP INDEX \"IX_People_DateOfBirth\"" "$finder WHERE p.\"DateOfBirth\" = '$born' $order"
measure "IX_People_DateOfBirth" "SET LOCAL jit = off" "$finder WHERE p.\"DateOfBirth\" = '$born' $order"
