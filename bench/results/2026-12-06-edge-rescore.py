#!/usr/bin/env python3
"""Re-scores the edge of earlier false-alarm draws in Tracy-Widom units (bench/results/2026-12-06-false-alarm.md).

The records of bench/results/2026-12-05-false-alarm/ were written before edge_error_tw became
(lambda_max - lambda_+)/sigma_d; they keep edge_error = lambda_max - lambda_+, so the new metric is
edge_error / sigma_d. sigma_d and the new edge tolerance of each case are read from a run of the current
binary (REFERENCE: results.jsonl with one record per case: sigma_d = edge_error / edge_error_tw). sigma_d
depends only on the law, which is the same for every seed except for the data-dependent laws (llc_gram,
rff: the law follows the drawn data set, so their re-scored edge is approximate). A record fails when it
failed before (the other metrics and their calibrated tolerances are unchanged) or its re-scored edge
exceeds the new tolerance.

    bench/results/2026-12-06-edge-rescore.py REFERENCE RAW.jsonl...      # one markdown table row per case
"""
import collections
import json
import statistics
import sys

reference, raws = sys.argv[1], sys.argv[2:]
sigma, tolerance = {}, {}
for line in open(reference):
    r = json.loads(line)
    m = r.get("metrics", {})
    if m.get("edge_error_tw"):
        sigma[r["case"]] = m["edge_error"] / m["edge_error_tw"]
        tolerance[r["case"]] = r["tolerance"].get("edge_error_tw")  # None: the edge is not judged

rows = collections.OrderedDict()
for path in raws:
    for line in open(path):
        r = json.loads(line)
        case = r["case"]
        row = rows.setdefault(case, {"seeds": [], "tw": [], "before": 0, "edge": 0, "fail": 0})
        tw = r["metrics"]["edge_error"] / sigma[case]
        edge_fails = tolerance[case] is not None and abs(tw) > tolerance[case]
        row["seeds"].append(r["seed"])
        row["tw"].append(tw)
        row["before"] += r["verdict"] != "pass"
        row["edge"] += edge_fails
        row["fail"] += r["verdict"] != "pass" or edge_fails

print("| case | seeds | FAIL (other metrics) | FAIL (edge, TW units) | FAIL | edge_error_tw mean ± sd [min, max] | edge tolerance |")
print("|---|---|---|---|---|---|---|")
for case, row in rows.items():
    tw = row["tw"]
    tol = tolerance[case]
    print(f"| {case} | {len(tw)} ({min(row['seeds'])}–{max(row['seeds'])}) | {row['before']} | {row['edge']} | {row['fail']} | "
          f"{statistics.mean(tw):.2f} ± {statistics.stdev(tw):.2f} [{min(tw):.2f}, {max(tw):.2f}] | "
          f"{'not judged' if tol is None else f'{tol:.3f}'} |")
