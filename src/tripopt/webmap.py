"""The plan as an interactive map (folium over Leaflet), one HTML file that works offline.

A layer per day (a team: per traveller and day, each traveller in a colour of their own
and their days told apart by dash patterns of it). Leaflet's script and style sheet are
inlined from the copy shipped with tripopt (`assets/leaflet`, BSD-2), and nothing else is
loaded but the background tiles: every marker is a divIcon (Leaflet's default icon images
are not shipped, and nothing asks for them), so without a tile server the map has no
background, but the routes, numbered stops, popups and the legend all show.

Every string from the user's data is HTML-escaped here, then handed to Leaflet as a JSON
string (not through folium's popup and tooltip templates, which paste text into
JavaScript template literals, where `${...}` would run). Control characters and lone
surrogates are escaped first (`report.printable`): HTML has no use for them, and a lone
surrogate cannot be written as UTF-8.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .model import Place
from .plan import DayPlan, Plan, Stop
from .report import printable

DAY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22")
UNVISITED_COLOUR = "#9e9e9e"
# a team: one colour per traveller (DAY_COLOURS in turn), and each of their days its own line pattern
DAY_DASHES = (None, "12 8", "2 8", "16 6 2 6", "6 5", "20 5 5 5 5 5")


@dataclass(frozen=True)
class _Route:
    """A day drawn on the map: its colour, its line pattern (None: solid), whose it is."""

    day: DayPlan
    colour: str
    dash: str | None = None
    traveller: str = ""


def text(value: object) -> str:
    """Plain text made safe as HTML (quotes included, for attributes), control characters
    escaped."""
    return html.escape(printable(value), quote=True)


class _Bind(MacroElement):
    """Popup and tooltip on the parent layer, from HTML the caller has escaped, as JSON strings."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {"maxWidth": 340});
            {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }});
        {% endmacro %}
    """)

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "Bind"
        self.popup, self.tooltip = popup, tooltip


def plan_map_html(plan: Plan, places: Iterable[Place] = ()) -> str:
    """The whole page: a layer per day (route and numbered stops; a team's per traveller
    and day), places such as the hotel and the venue, and the customers left out in grey
    with their reason."""
    places = tuple(places)
    # the view fits the route and the places; far-off customers left out are a pan away
    points = [(s.lat, s.lon) for d in plan.days for s in d.located]
    points += [(p.lat, p.lon) for p in places]
    points = points or [(u.lat, u.lon) for u in plan.unvisited]
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)) if points else (0, 0)
    folium_map = folium.Map(location=centre, zoom_start=11, control_scale=True)
    folium_map.default_js, folium_map.default_css = [], []  # no CDN: Leaflet is inlined below
    _inline_leaflet(folium_map, plan.scenario, _STYLE + (_TEAM_STYLE if plan.travellers else ""))
    bases = {s.place.key for d in plan.days for s in d.stops if s.kind in ("start", "end") and s.place is not None}
    for place in places:
        symbol = "&#8962;" if place.key in bases else "&#9873;"  # a house for where days start and end
        _pin(folium_map, place.lat, place.lon, symbol, "#000000", f"<b>{text(place.name)}</b>",
             text(place.name), "tripopt-place")
    for route in _coloured_days(plan):
        _day_layer(route).add_to(folium_map)
    if plan.unvisited:
        layer = folium.FeatureGroup(name=f"Not visited ({len(plan.unvisited)})")
        for u in plan.unvisited:
            marker = folium.CircleMarker((u.lat, u.lon), radius=5, color=UNVISITED_COLOUR, fill=True,
                                         fill_opacity=0.6, weight=1, class_name="tripopt-unvisited")
            marker.add_child(_Bind(f"<b>{text(u.name)}</b><br>not visited ({text(u.code)}): {text(u.reason)}"
                                   f"<br>value {u.value:,.0f}", f"{text(u.name)}: {text(u.code)}"))
            marker.add_to(layer)
        layer.add_to(folium_map)
    folium.LayerControl(collapsed=False).add_to(folium_map)
    if len(points) > 1:
        folium_map.fit_bounds([[min(p[0] for p in points), min(p[1] for p in points)],
                               [max(p[0] for p in points), max(p[1] for p in points)]], padding=(20, 20))
    # get_root() is typed as branca's Element; a map's root is its Figure, which has html and header
    folium_map.get_root().html.add_child(Element(_legend(plan)))  # type: ignore[attr-defined]
    return folium_map.get_root().render()


def _coloured_days(plan: Plan) -> list[_Route]:
    """Days with at least one stop, each with its colour (and in a team its traveller's
    colour and a line pattern of its own among theirs): the routes and the legend agree."""
    busy = [d for d in plan.days if len(d.stops) > 2]
    if not plan.travellers:
        return [_Route(d, DAY_COLOURS[i % len(DAY_COLOURS)]) for i, d in enumerate(busy)]
    routes = []
    for t, name in enumerate(plan.travellers):
        own = [d for d in busy if d.traveller == name]
        routes += [_Route(d, _traveller_colour(t), DAY_DASHES[i % len(DAY_DASHES)], name) for i, d in enumerate(own)]
    return routes


def _traveller_colour(index: int) -> str:
    return DAY_COLOURS[index % len(DAY_COLOURS)]


def _day_label(route: _Route) -> str:
    day = route.day
    whose = f"{route.traveller}: " if route.traveller else ""
    return f"{whose}{day.day:%a %d %b}: {len(day.visits)} visit(s)" + (" (extension)" if day.extension else "")


def _day_layer(drawn: _Route) -> folium.FeatureGroup:
    """A day's route in its colour (and pattern), with a numbered marker per visit and commitment."""
    day, colour = drawn.day, drawn.colour
    label = _day_label(drawn)
    layer = folium.FeatureGroup(name=text(label))
    pattern = {"dash_array": drawn.dash} if drawn.dash else {}
    route = folium.PolyLine([(s.lat, s.lon) for s in day.located], color=colour, weight=4,
                            opacity=0.85, class_name="tripopt-route", **pattern)
    route.add_child(_Bind(text(label), text(label)))
    route.add_to(layer)
    number = 0
    for stop in day.stops:
        if stop.kind not in ("visit", "commitment", "event"):
            continue
        number += 1
        _pin(layer, stop.lat, stop.lon, str(number), colour, _stop_popup(day, stop, number, drawn.traveller),
             f"{number}. {text(stop.name)}", f"tripopt-{stop.kind}")
        for met in stop.met:  # an event's customers met there: a thin line out to each
            folium.PolyLine([(stop.lat, stop.lon), (met.lat, met.lon)], color=colour, weight=1.5, opacity=0.7,
                            dash_array="2 6", class_name="tripopt-met",
                            tooltip=text(f"{met.name}: met at {stop.name}")).add_to(layer)
    return layer


def _stop_popup(day: DayPlan, stop: Stop, number: int, traveller: str = "") -> str:
    whose = f"{text(traveller)}, " if traveller else ""
    lines = [f"<b>{number}. {text(stop.name)}</b>",
             f"{whose}{day.day:%a %d %b} {stop.start:%H:%M}-{stop.end:%H:%M}"
             + ("" if stop.kind == "visit" else f" ({stop.kind})")]
    if stop.kind in ("visit", "event"):
        lines.append(f"value {stop.value:,.0f}")
    if stop.met:
        lines.append("meets " + text(", ".join(c.name for c in stop.met)))
    if stop.address and stop.kind == "visit":
        lines.append(text(stop.address))
    if stop.notes:
        lines.append(f"<i>{text(stop.notes)}</i>")
    lines.append(f"drive before: {stop.travel_minutes} min, {stop.travel_km:,.1f} km")
    return "<br>".join(lines)


def _pin(parent: folium.Map | folium.FeatureGroup, lat: float, lon: float, label: str, colour: str, popup: str,
         tooltip: str, css_class: str) -> None:
    """A round numbered (or symbol) marker; label and colour are tripopt's own, never data."""
    icon = folium.DivIcon(html=f'<div class="tripopt-pin {css_class}" style="background:{colour}">{label}</div>',
                          icon_size=(24, 24), icon_anchor=(12, 12), class_name="tripopt-icon")
    marker = folium.Marker((lat, lon), icon=icon)
    marker.add_child(_Bind(popup, tooltip))
    marker.add_to(parent)


# Leaflet's default marker icon is an image (images/marker-icon.png, with its shadow) that a
# one-file page does not have, and folium creates every marker with it before setting the
# marker's own icon: the default becomes an empty divIcon, so no marker ever asks for a file.
_NO_DEFAULT_ICON = 'L.Marker.mergeOptions({icon: L.divIcon({className: "tripopt-icon", html: "", iconSize: [0, 0]})});'
_CSS_IMAGE = re.compile(r"url\(images/[^)]*\)")  # the layer control's collapsed icon, the default icon's path


def _inline_leaflet(folium_map: folium.Map, title: str, own_style: str) -> None:
    """Leaflet's style sheet and script in the page, with nothing in them that loads a file
    (the markers' default icon replaced, the style sheet's images dropped)."""
    assets = resources.files("tripopt") / "assets" / "leaflet"
    style = _CSS_IMAGE.sub("none", (assets / "leaflet.css").read_text(encoding="utf-8"))
    script = (assets / "leaflet.js").read_text(encoding="utf-8") + "\n" + _NO_DEFAULT_ICON
    header = folium_map.get_root().header  # type: ignore[attr-defined]  # the root Figure's (see plan_map_html)
    header.add_child(Element(f"<title>{text(title)}</title>"), name="tripopt_title")
    header.add_child(Element(f"<style>{style}\n{own_style}</style>"), name="leaflet_css_inline")
    header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js_inline")


def _legend(plan: Plan) -> str:
    routes = _coloured_days(plan)
    if plan.travellers:
        rows = "".join(_legend_traveller(t, name, plan, [r for r in routes if r.traveller == name])
                       for t, name in enumerate(plan.travellers))
    else:
        rows = "".join(
            f'<div><span class="tripopt-swatch" style="background:{r.colour}"></span>'
            f"{r.day.day:%a %d %b}: {len(r.day.visits)} visit(s), {r.day.drive_km:,.0f} km</div>"
            for r in routes)
    return (f'<div class="tripopt-legend"><b>{text(plan.scenario)}</b>'
            f"<div>value {plan.value:,.0f} of {plan.value_available:,.0f}; {plan.visited} of {plan.candidates}"
            f" customers; cost {plan.cost:,.2f} {text(plan.currency)}</div>{rows}"
            f'<div><span class="tripopt-swatch" style="background:{UNVISITED_COLOUR}"></span>not visited</div></div>')


def _legend_traveller(index: int, name: str, plan: Plan, routes: list[_Route]) -> str:
    """A team member in the legend: their colour and totals, then each day's line pattern."""
    days = [d for d in plan.days if d.traveller == name]
    visits, km = sum(len(d.visits) for d in days), sum(d.drive_km for d in days)
    head = (f'<div class="tripopt-traveller"><span class="tripopt-swatch" style="background:'
            f'{_traveller_colour(index)}"></span><b>{text(name)}</b>: {visits} visit(s), {km:,.0f} km</div>')
    return head + "".join(
        f'<div class="tripopt-legend-day">{_dash_sample(r)}{r.day.day:%a %d %b}: {len(r.day.visits)} visit(s), '
        f"{r.day.drive_km:,.0f} km</div>" for r in routes)


def _dash_sample(route: _Route) -> str:
    """A short stretch of a route's line, as the map draws it."""
    dash = f' stroke-dasharray="{route.dash}"' if route.dash else ""
    return (f'<svg class="tripopt-dash" width="28" height="8"><line x1="2" y1="4" x2="26" y2="4" '
            f'stroke="{route.colour}" stroke-width="4" stroke-linecap="round"{dash}/></svg>')


_STYLE = """
.tripopt-pin { width: 24px; height: 24px; border-radius: 12px; color: #fff; font: bold 12px/24px sans-serif;
  text-align: center; border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.6); box-sizing: border-box; }
.tripopt-place { border-radius: 3px; }
.tripopt-legend { position: fixed; bottom: 24px; right: 12px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 8px 10px; font: 12px sans-serif; border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.4); }
.tripopt-swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
"""
_TEAM_STYLE = """.tripopt-traveller { margin-top: 4px; }
.tripopt-legend-day { margin-left: 18px; }
.tripopt-dash { margin-right: 6px; vertical-align: middle; }
"""
