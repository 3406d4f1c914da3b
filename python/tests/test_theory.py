"""rmtbench.theory / rmtbench.models against `rmtbench theory` / `rmtbench models --json`: the same engine,
so the same numbers to the last bit (JSON numbers are printed shortest-round-trip and read back exactly)."""
import math

import numpy as np
import pytest

import rmtbench

# (model, parameters, --x, --z): spectral laws with and without atoms, outliers, nonlinear families.
SPECTRAL = [
    ("mp", {"c": 0.5}, [0.1, 0.5, 1.0, 2.5, 3.0], [2 + 1j, -1 + 0.5j, 0.3 - 2j]),
    ("mp", {"c": 2.0, "sigma2": 2.0}, [0.2, 3.3, 11.0], [1 + 0.1j]),
    ("spiked", {"c": 0.5, "spikes": "2,4"}, [1.0, 2.0], [5 + 0.01j]),
    ("silverstein", {"c": 0.5, "pop": "1:1,3:1,7:1"}, [0.7, 4.0, 10.0], [3 + 1j]),
    ("rf", {"phi": 0.5, "psi": 0.8, "activation": "relu"}, [0.05, 0.2, 1.0], [0.5 + 0.2j]),
]


def _cli_args(model, params, x=None, z=None):
    args = ["theory", model]
    for k, v in params.items():
        args += ["--set", f"{k}={rmtbench._api._text(v)}"]
    if x is not None:
        args.append("--x=" + ",".join(repr(float(v)) for v in x))
    if z is not None:
        args.append("--z=" + ",".join(f"{v.real!r}{v.imag:+.17g}i" for v in map(complex, z)))
    return args


@pytest.mark.parametrize("model,params,x,z", SPECTRAL, ids=[f"{m}-{i}" for i, (m, *_) in enumerate(SPECTRAL)])
def test_spectral_theory_equals_cli(cli_json, model, params, x, z):
    expected = cli_json(*_cli_args(model, params, x, z))
    law = rmtbench.theory(model, **params)
    assert law.to_dict(x, z) == expected  # the whole object, exact
    assert law.to_dict() == cli_json(*_cli_args(model, params))  # default grid and Stieltjes points
    assert law.params == expected["params"]
    # The NumPy views hold the same doubles.
    assert law.density(x).tolist() == [d["value"] for d in expected["density"]]
    assert law.stieltjes(z).tolist() == [complex(*d["value"]) for d in expected["stieltjes"]]
    assert law.support.tolist() == expected["support"]
    assert law.atoms["x"].tolist() == [a["x"] for a in expected["atoms"]]
    assert law.atoms["mass"].tolist() == [a["mass"] for a in expected["atoms"]]
    assert law.moments.tolist() == expected["moments"]
    if "outliers" in expected:
        assert law.outliers["position"].tolist() == [o["position"] for o in expected["outliers"]]
        assert law.outliers["alignment"].tolist() == [o["alignment"] for o in expected["outliers"]]
    else:
        assert law.outliers is None


def test_density_keeps_the_shape_of_its_points():
    law = rmtbench.theory("mp", c=0.5)
    x = np.linspace(0.05, 3.0, 12).reshape(3, 4)
    d = law.density(x)
    assert d.shape == (3, 4)
    assert d.tolist() == [[law.density([v])[0] for v in row] for row in x.tolist()]
    # MP's density integrates to one over its support (a check that the values are the law's).
    a, b = law.support[0]
    t = np.linspace(a, b, 20001)
    d = law.density(t)
    assert abs(np.sum((d[1:] + d[:-1]) * np.diff(t)) / 2 - 1) < 1e-3  # trapezoids (NumPy 1 and 2)


def test_atoms_of_a_rank_deficient_law():
    law = rmtbench.theory("mp", c=2.0)
    assert law.atoms["x"].tolist() == [0.0]
    assert law.atoms["mass"][0] == pytest.approx(0.5, abs=1e-15)


@pytest.mark.parametrize("model,params,t", [("ridge", {"gamma": 0.5, "lambda": 0.1}, None),
                                            ("ridge", {"gamma": 0.5, "lambda": "0.01:1:5log"}, None),
                                            ("gf", {"gamma": 0.5}, [0.5, 1.0, 4.0])])
def test_learning_curve_theory_equals_cli(cli_json, model, params, t):
    args = _cli_args(model, params)
    if t is not None:
        args.append("--t=" + ",".join(map(repr, t)))
    expected = cli_json(*args)
    th = rmtbench.theory(model, t=t, **params)
    assert th.to_dict() == expected
    if "risk" in expected:
        assert th.risk == expected["risk"] and th.curve is None
    else:
        c = th.curve
        assert th.risk is None
        axis = c["axis"]
        assert c[axis].tolist() == [p[axis] for p in expected["curve"]]
        for key in ("train", "test", "bias", "variance"):
            got = c[key].tolist()
            want = [p.get(key, math.nan) for p in expected["curve"]]
            assert len(got) == len(want)
            assert all(g == w or (math.isnan(g) and math.isnan(w)) for g, w in zip(got, want)), key


def test_models_equal_cli(cli_json):
    listed = rmtbench.models()
    assert listed == cli_json("models", "--json")
    names = {m["name"] for m in listed}
    assert {"mp", "spiked", "rf", "ridge", "gf"} <= names


def _cli_error(cli, *args):
    p = cli(*args, check=False)
    assert p.returncode in (2, 3), p.stderr
    line = p.stderr.strip().splitlines()[-1]
    prefix = "rmtbench: error: "
    assert line.startswith(prefix)
    return p.returncode, line[len(prefix):]


@pytest.mark.parametrize("model,params", [("nope", {}), ("mp", {"c": -1.0}), ("mp", {"bogus": 1}),
                                          ("spiked", {"spikes": "2,x"})])
def test_bad_theory_input_raises_value_error_with_the_cli_message(cli, model, params):
    code, message = _cli_error(cli, *_cli_args(model, params))
    assert code == 2
    with pytest.raises(ValueError) as e:
        rmtbench.theory(model, **params)
    assert str(e.value) == message


def test_curve_model_has_no_spectrum(cli):
    code, message = _cli_error(cli, "theory", "ridge", "--x=1")
    with pytest.raises(ValueError) as e:
        rmtbench.theory("ridge").to_dict(x=[1.0])
    assert str(e.value) == message
    code, message = _cli_error(cli, "theory", "mp", "--t=1")
    with pytest.raises(ValueError) as e:
        rmtbench.theory("mp", t=1)
    assert str(e.value) == message
    with pytest.raises(ValueError):
        rmtbench.theory("ridge").support


@pytest.mark.parametrize("model", ["lss", "resolvent", "rf_resolvent", "le_kernel"])
def test_functional_theory_equals_cli(cli_json, model):
    expected = cli_json("theory", model)
    th = rmtbench.theory(model)
    assert th.is_functional and not th.is_curve
    assert th.to_dict() == expected
    assert th.functionals == expected["functionals"] and len(th.functionals) > 0
    assert th.outliers is None and th.risk is None
    with pytest.raises(ValueError):
        th.support
