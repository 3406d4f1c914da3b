#!/usr/bin/env python3
"""Summary of bench/results/2026-12-06-curve-false-alarm.sh: per case, the FAILs at fresh seeds, the
distribution of risk_z / train_z (the judged worst |z| over the curve), and per point the mean and sd of
the signed z_i over seeds (recomputed from the records and bench/calibration/curves.json: ≈ 0 and ≈ 1
when the calibrated null is right). Writes the trimmed records (seed, verdict, metrics, replicate means)
to 2026-12-06-curve-false-alarm/<case>.jsonl when --trim is given."""
import json, math, os, statistics as st, sys

here = os.path.dirname(os.path.abspath(__file__))
table = json.load(open(os.path.join(here, "..", "calibration", "curves.json")))
src = sys.argv[1]
trim = "--trim" in sys.argv
for case in ["ridge_lambda_curve", "rf_ridge_double_descent"]:
    path = os.path.join(src, case + ".jsonl")
    if not os.path.exists(path):
        continue
    recs = [json.loads(l) for l in open(path)]
    entry = next(e for e in table["entries"] if e["model"] == recs[0]["model"] and e["params"] == recs[0]["params"])
    S = entry["replicates"]; kappa = 1 + 2 / math.sqrt(2 * (S - 1))
    fails = [r["seed"] for r in recs if r["verdict"] != "pass"]
    zmax = [r["metrics"]["risk_z"] for r in recs]
    print(f"## {case}: {len(recs)} seeds ({min(r['seed'] for r in recs)}–{max(r['seed'] for r in recs)}), "
          f"R = {recs[0]['replicates']}, FAIL {len(fails)} {fails}")
    print(f"risk_z: mean {st.mean(zmax):.3f}, sd {st.pstdev(zmax):.3f}, max {max(zmax):.3f}, tolerance {recs[0]['tolerance']['risk_z']:.3f}")
    if "train_z" in recs[0]["metrics"]:
        tz = [r["metrics"]["train_z"] for r in recs]
        print(f"train_z: mean {st.mean(tz):.3f}, sd {st.pstdev(tz):.3f}, max {max(tz):.3f}")
    for name in ["test", "train"]:
        if name not in entry:
            continue
        th = [p[name] for p in recs[0]["theory"]["curve"]]
        floor = 0.1 * max(abs(t) for t in th) if name == "train" else 0.0
        line = []
        for i, (t, n) in enumerate(zip(th, entry[name])):
            scale = max(abs(t), floor)
            s = math.sqrt(kappa ** 2 * n["sd"] ** 2 / recs[0]["replicates"] + n["bias_se"] ** 2)
            z = [((r["empirical"]["curve"][i][name] - t) / scale - n["bias"]) / s for r in recs]
            line.append(f"{st.mean(z):+.2f}±{st.pstdev(z):.2f}")
        print(f"per-point z_i ({name}), mean±sd over seeds: " + ", ".join(line))
    if trim:
        os.makedirs(os.path.join(here, "2026-12-06-curve-false-alarm"), exist_ok=True)
        with open(os.path.join(here, "2026-12-06-curve-false-alarm", case + ".jsonl"), "w") as f:
            for r in recs:
                f.write(json.dumps({"seed": r["seed"], "verdict": r["verdict"], "metrics": r["metrics"],
                                    "test": [p["test"] for p in r["empirical"]["curve"]],
                                    "train": [p["train"] for p in r["empirical"]["curve"]]}) + "\n")
