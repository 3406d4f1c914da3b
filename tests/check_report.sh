#!/usr/bin/env bash
# End-to-end check of the HTML report written by `rmtbench run` (the embedded default suite, CPU):
#   - xmllint --noout accepts it (well-formed XHTML),
#   - one histogram figure (class="fig-hist") and one log-density figure per line of results.jsonl,
#   - then a small suite with a sweep over n and a GPU-only case, compared with itself: the report
#     has the summary, a convergence figure (class="fig-convergence"), the comparison section, the
#     skipped case (on a machine without CUDA) and timing bars,
#   - nothing that would make a network request: no <script src=, <link, @import, url(, and no
#     http(s):// other than the XHTML and SVG namespace names.
# Usage: check_report.sh <path-to-rmtbench> <scratch-dir>   (xmllint from $RMT_XMLLINT or PATH)
set -euo pipefail

fail() {
  echo "check_report: FAIL: $*" >&2
  exit 1
}

[[ $# -eq 2 ]] || { echo "usage: $0 <path-to-rmtbench> <scratch-dir>" >&2; exit 2; }
bin=$1
scratch=$2
xmllint=${RMT_XMLLINT:-$(command -v xmllint || true)}
[[ -x $bin ]] || fail "rmtbench binary '$bin' is missing or not executable"
[[ -n $xmllint && -x $xmllint ]] || fail "xmllint not found (set RMT_XMLLINT)"

out=$scratch/r
rm -rf -- "$out"
mkdir -p -- "$scratch"

# A failing verdict (exit 1) still writes the report; only a crash or bad input is fatal here.
set +e
"$bin" run --backend cpu --out "$out" --quiet >"$scratch/run.stdout" 2>"$scratch/run.stderr"
rc=$?
set -e
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
  cat "$scratch/run.stderr" >&2
  fail "'$bin run --backend cpu --out $out --quiet' exited with $rc"
fi

report=$out/report.html
results=$out/results.jsonl
[[ -s $results ]] || fail "$results is missing or empty"
[[ -s $report ]] || fail "$report is missing or empty"

"$xmllint" --noout "$report" || fail "xmllint rejects $report (not well-formed XHTML)"

# Spectral cases draw a histogram and a log-density view; learning-curve cases one learning curve.
curves=$(grep -c '"curve":\[' "$results" || true)
cases=$(( $(grep -c . "$results") - curves ))
count() { grep -o -- "$1" "$report" | wc -l; }
hist=$(count 'class="fig-hist"')
logd=$(count 'class="fig-logdensity"')
lc=$(count 'class="fig-curve"')
[[ $hist -eq $cases ]] || fail "$hist histogram figures (class=\"fig-hist\") for $cases spectral cases in $results"
[[ $logd -eq $cases ]] || fail "$logd log-density figures (class=\"fig-logdensity\") for $cases spectral cases"
[[ $lc -eq $curves ]] || fail "$lc learning-curve figures (class=\"fig-curve\") for $curves curve cases"
[[ $(count '<svg ') -eq $(count '</svg>') ]] || fail "unbalanced <svg> elements"
# Every spectral case of the default suite detects some scale error: the verdict cell says which.
catch=$(( $(count "would catch a [0-9.]* % scale error") / 2 ))  # in the summary table and in the case section
[[ $catch -eq $cases ]] || fail "$catch verdict cells say what scale error they would catch, for $cases spectral cases"

for pattern in '<script[^>]*src=' '<link' '@import' 'url(' '<img' '<iframe'; do
  if grep -qi -- "$pattern" "$report"; then
    grep -oi -m 3 -- ".\{0,40\}$pattern.\{0,40\}" "$report" >&2 || true
    fail "report contains '$pattern' (it must be self-contained)"
  fi
done

external=$(sed -e 's#xmlns="http://www.w3.org/2000/svg"##g' -e 's#xmlns="http://www.w3.org/1999/xhtml"##g' "$report" |
  grep -oiE 'https?://[^" <>]*' | sort -u || true)
[[ -z $external ]] || fail "report references external URLs: $(echo "$external" | tr '\n' ' ')"

# Render it in a real headless browser when one is installed (Chromium from Debian): the DOM the
# browser builds must still hold every figure, and a screenshot must come out.
chromium=${RMT_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
rendered="not rendered (no chromium)"
if [[ -n $chromium ]]; then
  flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$scratch/chromium-profile")
  timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$(realpath "$report")" >"$scratch/dom.html" 2>"$scratch/chromium.log" ||
    fail "chromium could not render $report (see $scratch/chromium.log)"
  dom_hist=$(grep -o 'class="fig-hist"' "$scratch/dom.html" | wc -l)
  [[ $dom_hist -eq $cases ]] || fail "rendered DOM has $dom_hist histogram figures for $cases cases"
  timeout 120 "$chromium" "${flags[@]}" --window-size=1280,2400 --screenshot="$scratch/report.png" \
    "file://$(realpath "$report")" >>"$scratch/chromium.log" 2>&1 || fail "chromium screenshot failed"
  [[ -s $scratch/report.png ]] || fail "chromium wrote no screenshot"
  rendered="rendered by $(basename "$chromium"), screenshot $scratch/report.png"
fi

# Run-level sections: a sweep over n (convergence), a GPU-only case (skipped without CUDA), and
# `compare` of the run with itself (all SAME).
sweep=$scratch/sweep
rm -rf -- "$sweep"
cat >"$scratch/sweep.toml" <<'TOML'
[[case]]
name = "mp_conv"
model = "mp"
params = { c = 0.5 }
sweep = { n = "200:800:3log" }

[[case]]
name = "mp_gpu"
model = "mp"
requires = "cuda"
params = { n = 16384 }
TOML
set +e
"$bin" run "$scratch/sweep.toml" --backend cpu --out "$sweep" --quiet >"$scratch/sweep.stdout" 2>"$scratch/sweep.stderr"
rc=$?
set -e
[[ $rc -eq 0 || $rc -eq 1 ]] || { cat "$scratch/sweep.stderr" >&2; fail "sweep suite run exited with $rc"; }
"$bin" compare "$sweep" "$sweep" >"$scratch/compare.stdout" 2>"$scratch/compare.stderr" ||
  fail "compare of a run with itself did not exit 0: $(cat "$scratch/compare.stderr")"
report2=$sweep/report.html
"$xmllint" --noout "$report2" || fail "xmllint rejects $report2"
grep -q 'id="summary"' "$report2" || fail "no summary table in $report2"
[[ $(grep -o 'class="fig-convergence"' "$report2" | wc -l) -eq 1 ]] || fail "no convergence figure in $report2"
grep -q 'id="compare"' "$report2" || fail "no comparison section in $report2"
[[ $(grep -o 'class="fig-timing"' "$report2" | wc -l) -eq 3 ]] || fail "timing bars missing in $report2"
[[ -s $sweep/convergence.json && -s $sweep/compare.json ]] || fail "convergence.json or compare.json missing"
if ! "$bin" devices --json 2>/dev/null | tr -d ' \n' | grep -q '"backend":"cuda",[^}]*"usable":true'; then
  grep -q 'id="skipped"' "$report2" || fail "the skipped GPU case is not listed in $report2"
fi
for pattern in '<script[^>]*src=' '<link' '@import' 'url(' '<img' '<iframe'; do
  grep -qi -- "$pattern" "$report2" && fail "$report2 contains '$pattern' (it must be self-contained)"
done
external=$(sed -e 's#xmlns="http://www.w3.org/2000/svg"##g' -e 's#xmlns="http://www.w3.org/1999/xhtml"##g' "$report2" |
  grep -oiE '(https?|ftp)://[^" <>]*|src="[^"]*"' | sort -u || true)
[[ -z $external ]] || fail "$report2 references external resources: $(echo "$external" | tr '\n' ' ')"
if [[ -n $chromium ]]; then
  timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$(realpath "$report2")" >"$scratch/dom2.html" 2>>"$scratch/chromium.log" ||
    fail "chromium could not render $report2"
  grep -q 'class="fig-convergence"' "$scratch/dom2.html" || fail "rendered DOM of $report2 has no convergence figure"
  grep -q 'id="compare"' "$scratch/dom2.html" || fail "rendered DOM of $report2 has no comparison section"
fi

echo "check_report: OK: $cases cases, $hist histograms, $logd log-density figures, well-formed, self-contained, $rendered;" \
  "sweep report with convergence, comparison and timing sections"
