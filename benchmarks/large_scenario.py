"""Write a large synthetic scenario (default 2,000 customers, 5 days) for benchmarks.

Customers are spread over the San Francisco Bay Area with a fixed random seed, office
hours of several shapes, meeting lengths of 30-90 minutes and values of $5k-$200k.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HOURS = ["Mon-Fri 09:00-17:00", "Mon-Fri 08:00-12:00 13:00-17:00", "Tue,Thu 10:00-16:00",
         "Mon-Wed 09:00-15:00", "Wed-Fri 12:00-18:00", "Mon,Wed,Fri 09:00-12:00"]


def write(folder: Path, customers: int = 2000, days: int = 5, seed: int = 2026) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "customers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "lat", "lon", "value", "meeting", "hours", "cost"])
        for i in range(customers):
            lat, lon = 37.2 + rng.random() * 0.8, -122.5 + rng.random() * 0.7
            writer.writerow([f"Account {i:04d}", f"{lat:.5f}", f"{lon:.5f}", rng.choice(range(5, 201, 5)) * 1000,
                             rng.choice(["30min", "45min", "1h", "1h30m"]), rng.choice(HOURS),
                             rng.choice(["", "", "", "25", "60"])])
    end_day = 7 + days
    (folder / "scenario.yaml").write_text(f"""name: Bay Area {customers}-account tour
timezone: America/Los_Angeles
trip:
  start: 2026-12-07
  end: 2026-12-{end_day - 1:02d}
  day: {{start: "08:00", end: "19:00"}}
  max_drive: 5h
places:
  hotel: {{lat: 37.7842, lon: -122.4016, name: Moscone hotel}}
  venue: {{lat: 37.7840, lon: -122.4010, name: Moscone Center}}
base: hotel
commitments:
  - {{name: Booth duty, place: venue, date: 2026-12-08, start: "10:00", end: "14:00"}}
customers: customers.csv
travel: {{speed_kmh: 45, detour_factor: 1.35, buffer: 10min}}
costs: {{per_km: 0.4}}
budget: 1500
solver: {{time_limit: 30s}}
""", encoding="utf-8")
    return folder / "scenario.yaml"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    print(write(args.folder, args.customers, args.days))
