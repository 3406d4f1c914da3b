"""rmtbench.run / run_suite / load against `rmtbench run`: same seed, same records (timings aside), the same
eigenvalues bit for bit; bad input and oversized cases raise with the CLI's message; the GIL is released
while the engine works and Ctrl-C stops it."""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import rmtbench


def _without_timing(record):
    r = json.loads(json.dumps(record))
    r.pop("timing", None)
    return r


def _cli_run(cli, tmp_path, model, params, seed, replicates, name="cli"):
    out = tmp_path / name
    args = ["run", "--model", model, "--seed", seed, "--replicates", replicates, "--backend", "cpu", "--out", out,
            "--json", "--quiet"]
    for k, v in params.items():
        args += ["--set", f"{k}={v}"]
    p = cli(*args)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, p.stdout
    assert lines == [dict(r) for r in rmtbench.load(out)]  # --json prints what results.jsonl holds
    return lines[0], out


@pytest.mark.parametrize("model,params,replicates", [("mp", {"n": 400, "c": 0.5}, 2),
                                                     ("spiked", {"n": 400, "c": 0.5, "spikes": "2,4"}, 1),
                                                     ("ridge", {"n": 300, "gamma": 0.5, "lambda": 0.1}, 5)])
def test_python_run_equals_cli_run(cli, tmp_path, model, params, replicates):
    expected, cli_out = _cli_run(cli, tmp_path, model, params, seed=7, replicates=replicates)
    result = rmtbench.run(model, backend="cpu", seed=7, replicates=replicates, out=tmp_path / "py", **params)
    assert set(result["timing"]) == set(expected["timing"])
    assert _without_timing(result) == _without_timing(expected)
    assert result.out == tmp_path / "py"
    if expected["empirical"].get("eigenvalues"):
        eigs = np.load(cli_out / expected["empirical"]["eigenvalues"])
        assert result.eigenvalues.dtype == np.float64
        assert np.array_equal(result.eigenvalues, eigs)  # bit for bit
        assert result.eigenvalues.size == expected["size"]["eig_dim"] * replicates
    else:
        assert result.eigenvalues is None


def test_run_in_a_temporary_directory_keeps_the_eigenvalues():
    result = rmtbench.run("mp", n=300, c=0.5, seed=3, backend="cpu")
    assert result.out is None
    assert result["verdict"] in ("pass", "fail") and result["model"] == "mp"
    assert result.eigenvalues.shape == (150,) and np.all(np.diff(result.eigenvalues) >= 0)
    assert result.eigenvalues.flags.owndata is False  # the engine's buffer, handed over without a copy


def test_bad_run_input_raises_value_error_with_the_cli_message(cli, tmp_path):
    for model, sets, py_params in [("nope", [], {}), ("mp", ["c=-1"], {"c": -1}), ("mp", ["n=1"], {"n": 1})]:
        args = ["run", "--model", model, "--out", tmp_path / "bad", "--quiet"]
        for s in sets:
            args += ["--set", s]
        p = cli(*args, check=False)
        assert p.returncode == 2, p.stderr
        message = p.stderr.strip().splitlines()[-1].removeprefix("rmtbench: error: ")
        with pytest.raises(ValueError) as e:
            rmtbench.run(model, out=tmp_path / "bad_py", **py_params)
        assert str(e.value) == message


def test_oversized_case_raises_memory_error_before_allocating(cli, tmp_path):
    p = cli("run", "--model", "mp", "--set", "n=5000000", "--backend", "cpu", "--out", tmp_path / "big", "--quiet",
            check=False)
    assert p.returncode == 3, p.stderr
    message = p.stderr.strip().splitlines()[-1].removeprefix("rmtbench: error: ")
    start = time.monotonic()
    with pytest.raises(MemoryError) as e:
        rmtbench.run("mp", n=5000000, backend="cpu", out=tmp_path / "big_py")
    # The same line, but for the memory available, which changes between the two calls.
    available = re.compile(r"only \d+ bytes \([0-9.]+ GiB\)")
    assert available.search(message)
    assert available.sub("only N bytes", str(e.value)) == available.sub("only N bytes", message)
    assert "needs 150000000000000 bytes" in str(e.value)
    assert time.monotonic() - start < 30


def test_run_suite_and_load(tmp_path):
    suite = tmp_path / "tiny.toml"
    suite.write_text(textwrap.dedent("""
        [defaults]
        seed = 5
        replicates = 1
        [[case]]
        name = "mp_small"
        model = "mp"
        params = { n = 300, c = 0.5 }
        [[case]]
        name = "ridge_small"
        model = "ridge"
        params = { n = 200, gamma = 0.5, lambda = 0.1 }
        """))
    records = rmtbench.run_suite(suite, out=tmp_path / "suite", backend="cpu")
    assert [r["case"] for r in records] == ["mp_small", "ridge_small"]
    assert (tmp_path / "suite" / "report.html").exists()
    again = rmtbench.load(tmp_path / "suite")
    assert list(again) == list(records)
    assert again.eigenvalues("mp_small").shape == (150,)
    with pytest.raises(ValueError):
        again.eigenvalues("missing")
    with pytest.raises(ValueError):
        rmtbench.load(tmp_path / "nowhere")
    pd = pytest.importorskip("pandas")
    frame = again.frame
    assert isinstance(frame, pd.DataFrame)
    assert frame["case"].tolist() == ["mp_small", "ridge_small"]
    assert "verdict" in frame and "timing.total_s" in frame


def test_the_gil_is_released_while_the_engine_works():
    done = threading.Event()
    result = {}

    def work():
        result["r"] = rmtbench.run("mp", n=1500, c=0.5, replicates=3, seed=1, backend="cpu", sensitivity=False)
        done.set()

    thread = threading.Thread(target=work)
    start = time.monotonic()
    thread.start()
    ticks = 0
    while not done.wait(0.01):
        ticks += 1
    thread.join()
    elapsed = time.monotonic() - start
    assert result["r"]["model"] == "mp"
    # With the GIL held for the whole run this thread could not tick at all until it ended.
    assert elapsed < 0.5 or ticks >= 0.1 * elapsed / 0.01, (ticks, elapsed)


def test_ctrl_c_stops_a_run_between_draws_and_leaves_python_usable(tmp_path):
    out = tmp_path / "interrupted"
    script = textwrap.dedent("""
        import pathlib, sys, time, rmtbench
        out = pathlib.Path(sys.argv[1])
        print("started", flush=True)
        start = time.monotonic()
        try:
            rmtbench.run("mp", n=1200, c=0.5, replicates=400, backend="cpu", sensitivity=False, out=out)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print(f"interrupted after {time.monotonic() - start:.1f} s", flush=True)
        # run.json is written once the engine has resolved the case: the signal came while it was running.
        print("engine had started:", (out / "run.json").exists(), flush=True)
        print("records kept:", len(rmtbench.load(out)), flush=True)
        print("after", rmtbench.theory("mp", c=0.5).density([1.0])[0] > 0, flush=True)
        """)
    p = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=os.environ)
    assert p.stdout.readline().strip() == "started"
    time.sleep(3.0)
    p.send_signal(signal.SIGINT)
    out_text, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "interrupted after" in out_text and "finished" not in out_text, out_text
    assert "engine had started: True" in out_text, out_text
    assert "records kept: 0" in out_text, out_text  # the case in flight leaves nothing half-written
    assert "after True" in out_text


def test_cuda_without_a_usable_device_raises_backend_unavailable(cli, tmp_path):
    p = cli("run", "--model", "mp", "--set", "n=200", "--backend", "cuda", "--out", tmp_path / "cli", "--quiet",
            check=False)
    if p.returncode in (0, 1):
        pytest.skip("a CUDA device is usable here")
    assert p.returncode == 3, p.stderr
    message = p.stderr.strip().splitlines()[-1].removeprefix("rmtbench: error: ")
    with pytest.raises(rmtbench.BackendUnavailable) as e:
        rmtbench.run("mp", n=200, backend="cuda", out=tmp_path / "py")
    assert isinstance(e.value, RuntimeError) and str(e.value) == message
