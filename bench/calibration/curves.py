#!/usr/bin/env python3
"""Learning-curve null calibration: bench/calibration/curves.json (docs/theory.md §9.5, bench/curve_case.cpp).

    python3 bench/calibration/curves.py build/rmtbench            # runs curves.toml, writes curves.json
    python3 bench/calibration/curves.py --records cal.jsonl        # converts records already made
    python3 bench/calibration/curves.py build/rmtbench --case NAME  # (re)runs the named cases only and
                                                                   # replaces their entries, keeping the rest

Runs every case of bench/calibration/curves.toml with the correct law (400 replicates, seed 90001) and
stores, per case and per point of its curve, for the test risk and (where predicted) the training error,
with scale_i = max(|theory_i|, floor) as bench/curve_case.cpp uses (test: floor 0; train: 0.1·max|theory|):
  bias    = (replicate mean − theory) / scale     the deterministic equivalent's finite-size bias
  bias_se = standard error of the mean / scale    its estimation error
  sd      = single-replicate spread / scale       (= bias_se·√replicates)
A case is covered when its model and every resolved parameter match an entry (replicates and seed do not
count); its tolerance is then set from these numbers (curve_case.cpp), else by the size rule.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def series(record, name, floor_fraction):
    theory = [p.get(name) for p in record["theory"]["curve"]] if "curve" in record["theory"] else [record["theory"]["risk"].get(name)]
    emp = record["empirical"]["curve"]
    finite = [abs(t) for t in theory if t is not None]
    if not finite:
        return None
    floor = floor_fraction * max(finite)
    out = []
    for t, e in zip(theory, emp):
        if t is None:
            out.append(None)
            continue
        scale = max(abs(t), floor)
        r = record["replicates"]
        out.append({"bias": (e[name] - t) / scale, "bias_se": e[name + "_se"] / scale,
                    "sd": e[name + "_se"] * r ** 0.5 / scale})
    return out


def main():
    args = sys.argv[1:]
    started = time.time()
    only = []
    while "--case" in args:
        i = args.index("--case")
        only.append(args[i + 1])
        del args[i:i + 2]
    if args and args[0] == "--records":
        lines = open(args[1]).read().splitlines()
        command = "(converted records)"
    else:
        binary = args[0] if args else "build/rmtbench"
        out_dir = tempfile.mkdtemp()
        cmd = [binary, "run", os.path.join(HERE, "curves.toml"), "--backend", "cpu", "--json", "--quiet",
               "--no-sensitivity", "--out", out_dir] + (["--case"] + only if only else [])
        lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
        command = " ".join(["rmtbench", "run", "bench/calibration/curves.toml"] + cmd[3:cmd.index("--out")])
    entries = []
    for line in lines:
        r = json.loads(line)
        entry = {"case": r["case"], "model": r["model"], "params": r["params"], "replicates": r["replicates"],
                 "seed": r["seed"], "seconds": round(r["timing"]["total_s"], 1),
                 "command": f"python3 bench/calibration/curves.py build/rmtbench --case {r['case']}",
                 "axis": r["empirical"]["axis"], "x": [p[r["empirical"]["axis"]] for p in r["empirical"]["curve"]],
                 "test": series(r, "test", 0.0)}
        train = series(r, "train", 0.1)
        if train is not None:
            entry["train"] = train
        entries.append(entry)
    path = os.path.join(HERE, "curves.json")
    if only:  # keep the entries of the cases not rerun, in their order; the new ones replace or follow
        new = {e["case"]: e for e in entries}
        old = json.load(open(path))
        entries = [new.pop(e["case"], e) for e in old["entries"]] + list(new.values())
        command = old["command"].split("  # ")[1] if "  # " in old["command"] else command
    table = {"schema": "rmtbench-curve-calibration/1",
             "command": "python3 bench/calibration/curves.py build/rmtbench  # " + command,
             "false_alarm_rate": 1e-3, "entries": entries}
    with open(path, "w") as f:
        json.dump(table, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} entries, {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
