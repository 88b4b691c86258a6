"""The version matrix: every supported Python x Django x DRF, run with ``nox``.

    .venv/bin/nox                      # the whole matrix (14 sessions)
    .venv/bin/nox -l                   # list the sessions
    .venv/bin/nox -s "tests(py3.13-django6.0-drf3.16)"   # one combination
    .venv/bin/nox -- -k cache          # extra pytest arguments after ``--``

Interpreters come from ``~/.pyenv/versions/*/bin`` (put on ``PATH`` below), so
nothing is downloaded but packages. Sessions are built with ``uv`` (installed
by the ``load`` extra) against one shared wheel cache, so the second session
that needs Django 6.0 installs it from disk; without ``uv`` nox falls back to
virtualenv + pip, whose own cache is shared the same way.

Every session runs the whole suite but the browser and load tests; those run
once more on one combination (:data:`FULL`), the newest stack, because the
README's test command already runs them on the dev venv's (Python 3.11,
Django 5.2). Each session first checks it got the versions its name promises:
a resolver that quietly picked another Django would make the matrix a lie.
"""

from __future__ import annotations

import glob
import os
import tomllib
from pathlib import Path

import nox

HERE = Path(__file__).parent

PYTHONS = ("3.11", "3.12", "3.13")
#: Django series -> requirement; 6.x needs Python 3.12+.
DJANGOS = {"5.2": "django~=5.2.0", "6.0": "django~=6.0.0", "6.1": "django~=6.1.0"}
#: The oldest DRF that runs on each Django series, and the newest release.
#: DRF 3.16 and 3.17 import ``django.utils.cache.cc_delim_re``, which Django 6.1
#: removed: on 6.1 the oldest DRF that works is 3.18.0.
OLDEST_DRF = {"5.2": "3.16", "6.0": "3.16", "6.1": "3.18.0"}
DRF_NEWEST = "djangorestframework>=3.16"


def _drf_requirement(drf: str) -> str:
    if drf == "newest":
        return DRF_NEWEST
    # A series ("3.16") means its newest patch release; a full version, itself.
    return f"djangorestframework~={drf}.0" if drf.count(".") == 1 else f"djangorestframework=={drf}"


#: The one combination that also runs the browser and load tests.
FULL = ("3.13", "6.1", "newest")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

# pyenv's interpreters, newest patch release first, ahead of whatever PATH has.
_pyenv = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[1-3].*/bin")), reverse=True)
os.environ["PATH"] = os.pathsep.join([*_pyenv, os.environ.get("PATH", "")])


def _supported(python: str, django: str) -> bool:
    return not (django.startswith("6.") and python == "3.11")


MATRIX = [
    nox.param(python, django, drf, id=f"py{python}-django{django}-drf{drf}")
    for python in PYTHONS
    for django in DJANGOS
    for drf in (OLDEST_DRF[django], "newest")
    if _supported(python, django)
]


def _extras() -> str:
    """Every extra the project declares: test modules of other kinds (browser,
    benchmarks) must import even where their tests are deselected."""
    with (HERE / "pyproject.toml").open("rb") as fh:
        declared = tomllib.load(fh)["project"].get("optional-dependencies", {})
    return ",".join(declared)


_VERSIONS = (
    "import sys, django, rest_framework; "
    "print('%d.%d' % sys.version_info[:2], django.get_version(), rest_framework.VERSION)"
)


def _check_versions(session: nox.Session, python: str, django: str, drf: str) -> None:
    """Fail the session unless it got the versions its name promises."""
    out = session.run("python", "-c", _VERSIONS, silent=True)
    got_python, got_django, got_drf = str(out).split()
    session.log(f"python {got_python}, django {got_django}, djangorestframework {got_drf}")
    if got_python != python or (got_django != django and not got_django.startswith(django + ".")):
        session.error(f"wanted python {python} and django {django}.x")
    if drf != "newest" and got_drf != drf and not got_drf.startswith(drf + "."):
        session.error(f"wanted djangorestframework {drf}, got {got_drf}")


@nox.session
@nox.parametrize(("python", "django", "drf"), MATRIX)
def tests(session: nox.Session, django: str, drf: str) -> None:
    """The test suite on one Python x Django x DRF combination."""
    python = str(session.python)
    full = (python, django, drf) == FULL
    drf_requirement = _drf_requirement(drf)
    session.install("-e", f".[{_extras()}]", DJANGOS[django], drf_requirement)
    if drf == "newest":
        # "newest" means the newest release, even when a venv reused from an
        # earlier run already holds an older one.
        session.install("--upgrade", drf_requirement, DJANGOS[django])
    # django-hosts' wheel installs a top-level "tests" package over ours.
    session.run("python", str(HERE / "scripts" / "drop-stray-tests-package"), silent=True)
    _check_versions(session, python, django, drf)
    marks = [] if full else ["-m", "not browser and not load"]
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *marks, *session.posargs)
