"""The installed distribution is whole: a wheel built from the sources carries every
module and every data file the code reads, and, installed (not editable) into a fresh
environment, runs from another directory: ``python -m tongxin profiles``, ``tongxin demo``
and ``tongxin report`` on the demo's store.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow

PACKAGES = ("opinion", "scrapers", "weighting", "cli", "tongxin")
# Source files under data/ that build or document the data and are not read at run time.
NOT_SHIPPED = {"__init__.py"}


def _copy_sources(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", "tests",
                                    "demo-out", "*.db*", ".pytest_cache", ".hypothesis", "benchmarks")
    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = _copy_sources(work / "src")
    out = work / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out),
         str(source)], capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("tongxin-*.whl")
    return built


def test_the_wheel_carries_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(REPO)) for package in PACKAGES for p in (REPO / package).rglob("*.py")}
    data = {
        "tongxin/data/" + str(p.relative_to(REPO / "data"))
        for p in (REPO / "data").rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    templates = {str(p.relative_to(REPO)) for p in (REPO / "opinion" / "reports" / "templates").glob("*.j2")}
    assert modules - names == set()
    assert data - names == set()
    assert templates - names == set()
    assert "tongxin/data/__init__.py" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from the test environment, not the registry; tongxin itself
    # only from the wheel (a path listed in a .pth file is not scanned for .pth files,
    # so the editable install of the test environment does not leak in).
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TONGXIN_DB", "PYTHONPATH")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    where = run(str(python), "-c", "import opinion, tongxin.data; print(opinion.__file__); print(tongxin.data.__file__)")
    assert all(line.startswith(site) for line in where.stdout.split()), where.stdout
    assert "gov-letters" in run(str(python), "-m", "tongxin", "profiles").stdout
    tongxin = str(venv / "bin" / "tongxin")
    out = elsewhere / "demo"
    run(tongxin, "demo", "--out", str(out), "--replicates", "5")
    assert (out / "report.html").stat().st_size > 10_000
    margins = run(str(python), "-c", "from opinion.files.resources import data_file; "
                                     "print(data_file('demo', 'margins.csv'))").stdout.strip()
    assert margins.startswith(site)
    report = run(tongxin, "report", "--db", str(out / "tongxin.db"), "--margins", margins, "--replicates", "5",
                 "--out", str(elsewhere / "r.html"))
    assert "written" in report.stderr
    assert (elsewhere / "r.html").stat().st_size > 10_000
