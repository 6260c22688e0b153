"""The map in a real headless browser (Debian's chromium, installed by .ci/run).

The page is loaded from a file with no network for tiles: routes and markers must still
render, and no script hidden in a customer's name, notes or reason may run, even once
every popup and tooltip has been opened.
"""

from __future__ import annotations

import os
import shutil

import pytest

import tripopt
from tripopt.webmap import DAY_COLOURS, DAY_DASHES, plan_map_html

from .conftest import EVIL_IMG, EVIL_SCRIPT, EVIL_TEMPLATE, MONDAY, TUESDAY, customer_row
from .scenario_factory import write_scenario

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):  # CI installs both: a missing browser there is a failure, not a skip
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")

# Every popup and tooltip opened in turn, so that their HTML is put into the page.
OPEN_ALL = """
const map = window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)];
const texts = [];
map.eachLayer(layer => {
  if (layer.getPopup && layer.getPopup()) { layer.openPopup(); texts.push(layer.getPopup().getElement().innerText); }
  if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
});
return texts;
"""


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for _assert_console_clean
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_map_renders_offline_and_runs_no_script_from_data(evil, browser, tmp_path):
    _, scenario, plan = evil
    page = tmp_path / "map.html"
    page.write_text(plan_map_html(plan, scenario.places.values()), encoding="utf-8")
    browser.get(page.as_uri())
    counts = browser.execute_script(
        "return [document.querySelectorAll('path.tripopt-route').length,"
        " document.querySelectorAll('.tripopt-visit').length, document.querySelectorAll('.tripopt-commitment').length,"
        " document.querySelectorAll('path.tripopt-unvisited').length,"
        " document.querySelectorAll('.tripopt-place').length]")
    days = sum(1 for d in plan.days if len(d.stops) > 2)
    commitments = sum(1 for d in plan.days for s in d.stops if s.kind == "commitment")
    assert counts == [days, plan.visited, commitments, len(plan.unvisited), len(scenario.places)]

    texts = browser.execute_script(OPEN_ALL)
    assert browser.execute_script("return document.body.dataset.pwned || null") is None
    shown = "\n".join(texts)
    for payload in (EVIL_SCRIPT, EVIL_IMG, EVIL_TEMPLATE.split("`")[0]):
        assert payload in shown, f"{payload!r} should be shown as text"
    assert not browser.find_elements("css selector", ".leaflet-popup-content script, .leaflet-popup-content img")

    shot = tmp_path / "map.png"
    browser.save_screenshot(str(shot))
    _assert_route_colours_drawn(shot, DAY_COLOURS[:days])
    _assert_console_clean(browser)


def test_team_map_has_a_layer_per_traveller_and_day(browser, tmp_path):
    """Two travellers over two days: a route per traveller and day in the traveller's colour,
    their days in different line patterns, the layer control and the legend naming them."""
    office = "Mon-Tue 09:00-17:00"
    rows = [customer_row(f"{who}'s {day}", 41.86 + 0.02 * i, -87.60 - 0.03 * j, 20, hours=f"{day} 09:00-17:00",
                         travellers=who)
            for i, who in enumerate(("Dana", "Lee")) for j, day in enumerate(("Mon", "Tue"))]
    rows += [customer_row(f"C{i}", 41.86 + 0.01 * i, -87.60 - 0.012 * i, 10 + i, hours=office) for i in range(4)]
    rows.append(customer_row(f"Owned by {EVIL_SCRIPT}", 41.90, -87.70, 50, hours=office, travellers="Lee"))
    rows.append(customer_row("Weekends only", 41.92, -87.66, 10, hours="Sun 10:00-12:00"))  # greyed
    path = write_scenario(tmp_path, rows, trip={"end": TUESDAY}, travellers=[{"name": "Dana"}, {"name": "Lee"}],
                          commitments=[{"name": "Booth", "who": "Dana", "place": "venue", "date": MONDAY,
                                        "start": "15:00", "end": "17:00"}])
    scenario = tripopt.load_scenario(path)
    plan = tripopt.solve(scenario)
    busy = [d for d in plan.days if len(d.stops) > 2]
    assert [d.traveller for d in busy] == ["Dana", "Dana", "Lee", "Lee"]
    page = tmp_path / "team.html"
    page.write_text(plan_map_html(plan, scenario.places.values()), encoding="utf-8")
    browser.get(page.as_uri())
    routes = browser.execute_script("return [...document.querySelectorAll('path.tripopt-route')]"
                                    ".map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray')])")
    assert routes == [[DAY_COLOURS[0], None], [DAY_COLOURS[0], DAY_DASHES[1]],
                      [DAY_COLOURS[1], None], [DAY_COLOURS[1], DAY_DASHES[1]]]
    layers = browser.execute_script("return [...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
                                    ".map(l => l.innerText.trim())")
    assert layers == [f"{d.traveller}: {d.day:%a %d %b}: {len(d.visits)} visit(s)" for d in busy] + [
        f"Not visited ({len(plan.unvisited)})"]
    legend = browser.execute_script("return document.querySelector('.tripopt-legend').innerText")
    for name in ("Dana", "Lee"):
        visits = sum(len(d.visits) for d in plan.days if d.traveller == name)
        assert f"{name}: {visits} visit(s)" in legend
    assert browser.execute_script("return document.querySelectorAll('.tripopt-legend svg line').length") == len(busy)
    texts = browser.execute_script(OPEN_ALL)
    assert browser.execute_script("return document.body.dataset.pwned || null") is None
    assert any(t.startswith("1. ") and "\nDana, Mon 05 Oct " in t for t in texts)
    shot = tmp_path / "team.png"
    browser.save_screenshot(str(shot))
    _assert_route_colours_drawn(shot, DAY_COLOURS[:2])
    _assert_console_clean(browser)


# The background tiles' server (the page's tile layer): the only thing the page may load from
# outside itself. Without a network (as here) those requests fail, and that is all right.
TILE_ORIGINS = """
const map = window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)];
const origins = [];
map.eachLayer(layer => {
  if (layer instanceof L.TileLayer) origins.push(new URL(layer._url.replace(/[{}]/g, '')).origin);
});
return origins;
"""


def _assert_console_clean(browser):
    """Since the page was loaded, and with every popup opened: no message on the console
    (errors, warnings, failed requests) and no resource loaded but the background tiles;
    so no missing asset (Leaflet's marker-icon.png) and no script error."""
    tiles = tuple(browser.execute_script(TILE_ORIGINS))
    assert tiles, "the map should have its background tile layer"
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [r for r in resources if not r.startswith(tiles)] == []
    logged = [e for e in browser.get_log("browser")
              if not (e["source"] == "network" and e["message"].startswith(tiles))]
    assert logged == []


def _assert_route_colours_drawn(png, colours):
    """The screenshot shows each day's colour: routes and markers were painted, not just put in the DOM."""
    from PIL import Image

    pixels = [rgb for _, rgb in Image.open(png).convert("RGB").getcolors(1 << 24)]
    for colour in colours:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert any(max(abs(a - b) for a, b in zip(rgb, p)) <= 8 for p in pixels), f"{colour} not drawn"

