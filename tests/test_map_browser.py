"""The map in a real headless browser (Debian's chromium, installed by .ci/run).

The page is loaded from a file with no network for tiles: routes and markers must still
render, and no script hidden in a customer's name, notes or reason may run, even once
every popup and tooltip has been opened.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tripopt.webmap import DAY_COLOURS, plan_map_html

from .conftest import EVIL_IMG, EVIL_SCRIPT, EVIL_TEMPLATE

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


def _assert_route_colours_drawn(png, colours):
    """The screenshot shows each day's colour: routes and markers were painted, not just put in the DOM."""
    from PIL import Image

    pixels = [rgb for _, rgb in Image.open(png).convert("RGB").getcolors(1 << 24)]
    for colour in colours:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert any(max(abs(a - b) for a, b in zip(rgb, p)) <= 8 for p in pixels), f"{colour} not drawn"

