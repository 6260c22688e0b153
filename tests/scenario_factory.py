"""Write small scenario files for tests (real YAML through the real loader)."""

from __future__ import annotations

from pathlib import Path

import yaml

BASE = {"hotel": {"lat": 41.8868, "lon": -87.6217}, "venue": {"lat": 41.8789, "lon": -87.6359},
        "airport": {"lat": 41.9786, "lon": -87.9048}}


def write_scenario(folder: Path, customers: list[dict], **overrides) -> Path:
    data = {
        "name": "test", "timezone": "America/Chicago",
        "trip": {"start": "2026-10-05", "end": "2026-10-05", "day": {"start": "08:00", "end": "18:00"}},
        "places": BASE, "base": "hotel", "customers": customers,
        "travel": {"speed_kmh": 40, "detour_factor": 1.3, "buffer": "5min"},
        "costs": {"per_km": 0.5}, "solver": {"time_limit": "0.6s"},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
