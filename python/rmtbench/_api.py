"""The package's functions: argument handling around the engine (rmtbench._rmtbench); no numerics here."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from . import _rmtbench
from ._rmtbench import BackendUnavailable

_ATOM = np.dtype([("x", "f8"), ("mass", "f8")])
_OUTLIER = np.dtype([("spike", "f8"), ("position", "f8"), ("alignment", "f8")])


def _text(value) -> str:
    """A parameter value as the CLI's --set reads it: numbers round-trip exactly, lists join with commas."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r}: parameters take numbers or text, not booleans")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # shortest text that reads back as the same double
    if isinstance(value, np.ndarray):
        value = value.ravel().tolist()
    if isinstance(value, Iterable):
        return ",".join(_text(v) for v in value)
    raise ValueError(f"{value!r}: parameters take numbers, text or lists of numbers")


def _sets(params: Mapping) -> list[str]:
    return [f"{key}={_text(value)}" for key, value in params.items()]


def models() -> list[dict]:
    """Every model with its parameters, defaults and ranges (``rmtbench models --json``)."""
    return json.loads(_rmtbench.models_json())


class Theory:
    """The theoretical prediction of one model, as ``rmtbench theory MODEL`` computes it.

    Spectral models: ``support`` (k × 2 array of intervals), ``atoms`` (structured array, fields x and
    mass), ``moments`` (first two raw moments), ``outliers`` (structured array, fields spike, position,
    alignment; None when the model tracks no spikes), ``density(x)`` and ``stieltjes(z)`` at arrays of
    points. Learning-curve models: ``risk`` (a dict, one point) or ``curve`` (a dict of arrays along the
    axis, NaN where the theory predicts nothing). ``to_dict()`` is exactly the CLI's JSON object.
    """

    def __init__(self, model: str, *, seed: int = 42, t=None, **params):
        self.model = model
        self._query = _rmtbench.TheoryQuery(model, _sets(params), "" if t is None else _text(t), int(seed))
        self.params = json.loads(self._query.params_json)

    def __repr__(self) -> str:
        return f"rmtbench.Theory({self.model!r}, params={self.params!r})"

    @property
    def is_curve(self) -> bool:
        return self._query.is_curve

    @property
    def is_functional(self) -> bool:
        return self._query.is_functional

    @property
    def functionals(self) -> list | None:
        """A functional model's predictions (name, stat, value, bias, allowance, sd; docs/theory.md §12)."""
        return self.to_dict()["functionals"] if self.is_functional else None

    @property
    def support(self) -> np.ndarray:
        return self._query.support

    @property
    def atoms(self) -> np.ndarray:
        return self._query.atoms.view(_ATOM).reshape(-1)

    @property
    def moments(self) -> np.ndarray:
        return self._query.moments

    @property
    def outliers(self) -> np.ndarray | None:
        if self.is_curve or self.is_functional or not self._query.has_outliers:
            return None
        return self._query.outliers.view(_OUTLIER).reshape(-1)

    def density(self, x) -> np.ndarray:
        """The limiting density at the points x (any shape)."""
        return self._query.density(np.asarray(x, dtype=np.float64))

    def stieltjes(self, z) -> np.ndarray:
        """m(z) = ∫ μ(dt)/(t − z) at the complex points z (any shape)."""
        return self._query.stieltjes(np.asarray(z, dtype=np.complex128))

    @property
    def risk(self) -> dict | None:
        """Train, test (excess), bias and variance at the one point of a learning-curve model."""
        if not self.is_curve:
            return None
        return self.to_dict().get("risk")

    @property
    def curve(self) -> dict | None:
        """The axis values and train/test/bias/variance arrays of a learning curve ("axis" names the axis)."""
        if not self.is_curve or "curve" not in self.to_dict():
            return None
        return self._query.curve

    def to_dict(self, x=None, z=None) -> dict:
        """The JSON object ``rmtbench theory`` prints (default density grid and Stieltjes points unless given)."""
        xs = [] if x is None else np.asarray(x, dtype=np.float64).ravel().tolist()
        zs = [] if z is None else np.asarray(z, dtype=np.complex128).ravel().tolist()
        if x is not None and not xs:
            raise ValueError("x: the list is empty (give at least one point, or leave x out for the defaults)")
        if z is not None and not zs:
            raise ValueError("z: the list is empty (give at least one point, or leave z out for the defaults)")
        return json.loads(self._query.json(xs, zs))


def theory(model: str, *, seed: int = 42, t=None, **params) -> Theory:
    """The theory of ``model`` with parameters ``params`` (as ``--set key=value``); ``t`` the times of dynamics
    models (``--t``), ``seed`` the data set of data-dependent models (llc_gram)."""
    return Theory(model, seed=seed, t=t, **params)


class Result(dict):
    """A run record (the same JSON object as a line of results.jsonl), with ``eigenvalues`` (NumPy, pooled
    over replicates; None for learning curves) and ``out`` (the run directory; None when temporary)."""

    eigenvalues: np.ndarray | None
    out: Path | None


class Records(list):
    """The records of a run directory, in order; ``frame`` is a pandas DataFrame of them (one row per case,
    nested keys flattened as ``metrics.ks``), ``eigenvalues(case)`` a case's pooled eigenvalues."""

    def __init__(self, records, directory: Path):
        super().__init__(records)
        self.dir = directory

    @property
    def frame(self):
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("rmtbench.Records.frame needs pandas (Debian: python3-pandas)") from e
        return pd.json_normalize(list(self))

    def eigenvalues(self, case: str) -> np.ndarray:
        for r in self:
            if r.get("case") == case:
                return _eigenvalues(r, self.dir)
        raise ValueError(f"case '{case}' is not in {self.dir / 'results.jsonl'}")


def _eigenvalues(record: Mapping, directory: Path) -> np.ndarray | None:
    name = record.get("empirical", {}).get("eigenvalues")
    if not isinstance(name, str):
        return None
    path = directory / name
    return _rmtbench.read_eigenvalues(str(path)) if path.exists() else None


def _options(*, out, backend, seed, replicates, precision, method, sensitivity, progress):
    o = _rmtbench.RunOptions()
    o.out = os.fspath(out)
    if backend is not None:
        o.backend = backend
    if seed is not None:
        o.seed = int(seed)
    if replicates is not None:
        o.replicates = int(replicates)
    o.precision = precision
    if method is not None:
        o.method = method
    o.no_sensitivity = not sensitivity
    o.quiet = not progress
    return o


def run(model: str, *, backend: str | None = None, seed: int | None = None, replicates: int | None = None,
        precision: str = "fp64", method: str | None = None, t=None, out=None, sensitivity: bool = True,
        progress: bool = False, **params) -> Result:
    """One ad-hoc case, exactly ``rmtbench run --model MODEL --set k=v ... --seed S --replicates R --backend B``.

    ``backend``: "auto" (None, the default: CUDA when usable, else the CPU), "cpu" or "cuda".
    Returns the record (a dict) with ``eigenvalues``. ``out``: the run directory (results.jsonl, eigs/,
    report.html), or None for a temporary one. A failing verdict is in the record, not an exception; bad input
    raises ValueError and a case too large for memory MemoryError, both with the CLI's message. The GIL is
    released while the engine samples and solves; Ctrl-C stops it between draws (KeyboardInterrupt)."""
    temporary = tempfile.TemporaryDirectory(prefix="rmtbench-") if out is None else None
    directory = Path(temporary.name if temporary else out)
    try:
        o = _options(out=directory, backend=backend, seed=seed, replicates=replicates, precision=precision,
                     method=method, sensitivity=sensitivity, progress=progress)
        o.model = model
        o.sets = _sets(params)
        if t is not None:
            o.t = _text(t)
        _rmtbench.run_command(o)
        records = _rmtbench.read_records(str(directory / "results.jsonl"))
        if len(records) != 1:
            raise RuntimeError(f"expected one record in {directory / 'results.jsonl'}, found {len(records)}")
        result = Result(json.loads(records[0]))
        result.eigenvalues = _eigenvalues(result, directory)
        result.out = None if temporary else directory
        return result
    finally:
        if temporary:
            temporary.cleanup()


def run_suite(path, *, out="results", cases: Iterable[str] | None = None, backend: str | None = None,
              seed: int | None = None, replicates: int | None = None, precision: str = "fp64",
              method: str | None = None, sensitivity: bool = True, progress: bool = False, **params) -> Records:
    """``rmtbench run SUITE.toml ... --out OUT`` (``path``: one suite file or several; None: the embedded default
    suite); ``params`` override those parameters in every case (``--set``). Returns the records written to OUT."""
    o = _options(out=out, backend=backend, seed=seed, replicates=replicates, precision=precision, method=method,
                 sensitivity=sensitivity, progress=progress)
    if path is not None:
        o.suites = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
    if cases is not None:
        o.cases = [cases] if isinstance(cases, str) else list(cases)
    o.sets = _sets(params)
    _rmtbench.run_command(o)
    return load(out)


def load(directory) -> Records:
    """The records of a run directory (or of a results.jsonl file), as written by ``rmtbench run``."""
    path = Path(directory)
    if path.is_dir():
        path = path / "results.jsonl"
    if not path.exists():
        raise ValueError(f"{path}: no such file (a run directory holds results.jsonl)")
    return Records([json.loads(r) for r in _rmtbench.read_records(str(path))], path.parent)
