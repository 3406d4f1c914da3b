"""examples/quickstart.py runs as a user would run it; it saves its figure when matplotlib is installed."""
import importlib.util
import os
import subprocess
import sys

from conftest import SOURCE_DIR


def test_quickstart_runs_and_saves_its_figure(tmp_path):
    figure = tmp_path / "quickstart.png"
    p = subprocess.run([sys.executable, str(SOURCE_DIR / "examples" / "quickstart.py"), str(figure)],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    assert "verdict" in p.stdout
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed" in p.stdout and not figure.exists()
    else:
        assert figure.exists() and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert figure.stat().st_size > 10000
