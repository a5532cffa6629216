#!/usr/bin/env bash
# The programme evaluation against R, side by side in one run (docs/performance.md, issue 15): a synthetic cohort
# file of N rows (default 1,000,000), `aftercare evaluate --cohort` (every model: KM, log-rank, Cox crude, adjusted,
# by pathway, strata, interactions, cox.zph, RMST and risk differences, E-value, competing risks with Fine-Gray,
# all repeats (Andersen-Gill, robust), the landmark moved) and Rscript running the docs' R code, which fits the same
# models on the same file. Wall time and peak memory (maximum resident set size) of each from /usr/bin/time -v.
#   bench/run-evaluation-vs-r.sh [rows]
set -euo pipefail
rows="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/aftercare-eval-vs-r-XXXXXX)"
trap 'rm -rf "$work"' EXIT
command -v Rscript >/dev/null || { echo "Rscript is not installed (apt-get install r-base-core r-cran-survival r-cran-cmprsk r-cran-mass)"; exit 2; }

dotnet build -c Release "$root/src/Aftercare/Aftercare.csproj" -v q -nologo >/dev/null
dotnet build -c Release "$root/bench/Aftercare.Bench/Aftercare.Bench.csproj" -v q -nologo >/dev/null
"$root/artifacts/bin/Aftercare.Bench/release/Aftercare.Bench" synthetic-cohort --rows "$rows" --seed 2026 --out "$work/cohort.csv"
python3 - "$root/docs/evaluation.md" "$work/evaluation-check.R" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.search(r"<!-- r-check: begin -->\s*```r\n(.*?)```\s*<!-- r-check: end -->", text, re.S).group(1))
PY

measure() { # name, command...
  local name="$1"; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.out" 2>&1 || { cat "$work/$name.out"; exit 1; }
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/$name.time")"
  rss="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$name.time")"
  echo "$name $wall $rss"
}

echo "Evaluation against R: $rows rows, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(Rscript --version 2>&1 | head -1)"
ours="$(measure aftercare "$root/artifacts/bin/Aftercare/release/aftercare" evaluate --cohort "$work/cohort.csv" --results "$work/results.json" --out "$work/report.html")"
theirs="$(AFTERCARE_R_CHECK="$work/evaluation-check.R" measure r Rscript "$root/bench/evaluation-vs-r.R" "$work/cohort.csv" "$work/r-results.csv")"
read -r _ ours_s ours_kb <<<"$ours"
read -r _ r_s r_kb <<<"$theirs"
printf '%-10s %9s s %9s MiB\n' aftercare "$ours_s" "$((ours_kb / 1024))" R "$r_s" "$((r_kb / 1024))"
awk -v a="$ours_s" -v b="$r_s" -v m="$ours_kb" -v n="$r_kb" 'BEGIN { printf "wall time aftercare / R = %.3fx (goal <= 0.2x); peak memory aftercare / R = %.2fx (goal <= 1x)\n", a / b, m / n }'
# The same estimate from both, as a check that they fitted the same thing.
grep -h '^"\?repeat"\?,"\?cox_recurrent"\?,"\?"\?,"\?engaged"\?,"\?hr"\?' "$work/results.csv" "$work/r-results.csv" | sed 's/^/all repeats, engaged rate ratio: /'
