"""Regenerate the README's map screenshot and calendar sample from the bundled KCD example.

    python docs/make_assets.py     # needs chromium and chromedriver (Debian packages)
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import tripopt
from tripopt.ics import plan_calendar
from tripopt.webmap import plan_map_html

DOCS = Path(__file__).resolve().parent
SCENARIO = DOCS.parent / "scenarios" / "kcd-chicago-2026.yaml"


def main() -> None:
    scenario = tripopt.load_scenario(SCENARIO).with_time_limit(5)
    plan = tripopt.solve(scenario)
    calendar = plan_calendar(plan, stamp=datetime(2026, 9, 1, tzinfo=UTC)).decode()
    events = calendar.split("BEGIN:VEVENT")
    (DOCS / "kcd-calendar-sample.ics").write_text(
        events[0] + "BEGIN:VEVENT" + "BEGIN:VEVENT".join(events[1:3]).rstrip() + "\r\n...\r\n", encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1100,760"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "map.html"
            page.write_text(plan_map_html(plan, scenario.places.values()), encoding="utf-8")
            driver.get(page.as_uri())
            driver.save_screenshot(str(DOCS / "kcd-map.png"))
    finally:
        driver.quit()
    print(f"wrote {DOCS / 'kcd-map.png'} and {DOCS / 'kcd-calendar-sample.ics'}")


if __name__ == "__main__":
    main()
