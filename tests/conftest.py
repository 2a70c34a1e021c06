"""Top-level test configuration: headless Qt, Agg matplotlib, shared fixtures."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PROJECT = REPO / "data" / "sample" / "dien_bien" / "project.toml"
SHARED_REAL = REPO.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_project_path() -> Path:
    if not SAMPLE_PROJECT.exists():
        pytest.skip("embedded sample not generated yet")
    return SAMPLE_PROJECT


@pytest.fixture(scope="session")
def shared_real() -> Path:
    if not SHARED_REAL.is_dir():
        pytest.skip("../shared/data/real is absent")
    return SHARED_REAL


@pytest.fixture
def composite_updates(monkeypatch):
    """The windows ``analysis.coverage`` applies to composites, by index, in the order applied: a spy on its numba
    update (the cancel-point tests check that a closed composite applies no further window)."""
    from analysis import coverage

    applied: list[int] = []
    real = coverage._update_window

    def spy(*args):
        applied.append(int(args[6]))
        return real(*args)

    monkeypatch.setattr(coverage, "_update_window", spy)
    return applied
