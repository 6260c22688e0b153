"""Shared fixtures: paths to test data, and no network for geocoding in tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Tests never reach a geocoder: an address must come from a cache file."""
    monkeypatch.setenv("TRIPOPT_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _own_plan_store(monkeypatch, tmp_path_factory):
    """Each test starts with no remembered plans (README, "Remembered plans"), and never
    touches the user's cache directory (nor the test's own tmp_path)."""
    monkeypatch.setenv("TRIPOPT_CACHE_DIR", str(tmp_path_factory.mktemp("tripopt-cache") / "cache"))
