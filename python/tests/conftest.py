"""Shared fixtures: the CLI of the same build as the module (RMTBENCH_CLI, set by the ctest entry), and
helpers that run it the way a user would."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("RMTBENCH_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def _cli_path():
    path = os.environ.get("RMTBENCH_CLI") or shutil.which("rmtbench")
    return path


@pytest.fixture(scope="session")
def cli():
    path = _cli_path()
    if not path or not Path(path).exists():
        pytest.skip("no rmtbench CLI (set RMTBENCH_CLI; the ctest entry `python` does)")

    def call(*args, check=True):
        p = subprocess.run([path, *map(str, args)], capture_output=True, text=True, timeout=300)
        if check and p.returncode not in (0, 1):
            raise AssertionError(f"rmtbench {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr}")
        return p

    call.path = path
    return call


@pytest.fixture(scope="session")
def cli_json(cli):
    def call(*args):
        return json.loads(cli(*args).stdout)

    return call
