"""rmtbench: sampled spectra and learning curves of large random matrices against random-matrix theory.

The package is a thin layer over the C++ engine of the ``rmtbench`` command line (the extension module
``rmtbench._rmtbench``): the same models, theory, sampling, metrics, verdicts and records.

    >>> import rmtbench
    >>> law = rmtbench.theory("mp", c=0.5)
    >>> law.support, law.density([1.0])
    >>> result = rmtbench.run("mp", n=1000, seed=7)
    >>> result["verdict"], result.eigenvalues[:3]

See the README, section "Python".
"""
from ._api import BackendUnavailable, Records, Result, Theory, load, models, run, run_suite, theory

__version__ = "0.1.0"
__all__ = ["models", "theory", "run", "run_suite", "load", "Theory", "Result", "Records", "BackendUnavailable"]
