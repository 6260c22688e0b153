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
