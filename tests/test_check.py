"""`tripopt check` (src/tripopt/check.py): the summary of a valid scenario, the far-customer
warning's anchors, the warning naming customers that share one point, and the proven
infeasibilities test_truth.py does not already check. (test_geo.py covers the far warning's
wording and limit, test_truth.py the commitment, must-visit and must-visits-together
infeasibilities.)"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import tripopt
from tripopt.check import far_customers, summarize
from tripopt.cli import app

from .conftest import TALK, customer_row

DENVER = [(39.74, -104.99), (39.75, -105.00), (39.68, -104.96)]  # 1,450 km from the Chicago trip


def _check(path):
    return CliRunner().invoke(app, ["check", str(path)])


def test_summary_counts_what_the_trip_can_meet(one_commitment, tmp_path):
    """Meetable: a window long enough for the meeting on a day the trip may use, the
    extension day included; a CRM's extra columns are listed as ignored."""
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("name,lat,lon,value,meeting,hours,must_visit,Industry,Owner\n"
                        "Weekday,41.89,-87.63,10,45min,Mon-Fri 09:00-17:00,true,Retail,Ann\n"
                        "Sunday,41.90,-87.64,20,45min,Sun 10:00-12:00,false,Retail,Bo\n"
                        "Too short,41.91,-87.65,40,2h,Mon 09:00-10:00,false,Banks,Cy\n"
                        "Saturday,41.92,-87.66,80,45min,Sat 10:00-12:00,false,Banks,Di\n", encoding="utf-8")
    path = one_commitment({"file": str(accounts)}, trip={"extend": {"before": {"days": 1, "cost": 50}}})
    summary = summarize(tripopt.load_scenario(path))
    assert (summary.trip_days, summary.possible_days) == (1, 2)
    assert (summary.customers, summary.meetable, summary.must_visit, summary.commitments) == (4, 2, 1, 1)
    assert (summary.value_total, summary.value_meetable) == (150, 30)
    assert summary.ignored_columns == ("Industry", "Owner")
    result = _check(path)
    assert result.exit_code == 0, result.output
    for line in ("test: ok", "trip days    1 (Mon 05 Oct to Mon 05 Oct), up to 1 extension day(s)",
                 "customers    4, of whom 2 can be met during the trip (1 must-visit)", "commitments  1",
                 "value        150 in all, 30 meetable", "budget       none", "ignored columns: Industry, Owner"):
        assert line in result.output, result.output


def test_a_lone_customer_far_from_every_place_is_warned(one_day):
    """With one customer there is no median to be near: a lone account in Denver is warned."""
    scenario = tripopt.load_scenario(one_day([customer_row("Denver Data", *DENVER[0], 10)]))
    (warning,) = far_customers(scenario)
    assert warning.severity == "warning" and "(Denver Data)" in warning.where
    assert "farther than 800 km from every place of the trip" in warning.message
    assert "(nearest: place airport, 1,4" in warning.message


def test_customers_far_from_the_trip_but_near_each_other_are_quiet(one_day):
    """Three accounts in Denver: far from the Chicago places, but near their own median, so
    they read as a real cluster (a trip planned around the wrong places), not as typos."""
    rows = [customer_row(f"Denver {i}", lat, lon, 10) for i, (lat, lon) in enumerate(DENVER)]
    assert far_customers(tripopt.load_scenario(one_day(rows))) == []
    typo = customer_row("Typo", 41.89, 87.63, 10)  # the minus sign dropped: in China
    (warning,) = far_customers(tripopt.load_scenario(one_day([*rows, typo])))
    assert "(Typo)" in warning.where and "farther than 800 km" in warning.message


@pytest.mark.parametrize("overrides, fragment", [
    ({"commitments": [{**TALK, "place": "airport"}], "budget": 20},
     "the commitments alone cost 33.22 USD, over the budget of 20.00"),  # 2 x 33.2 km to O'Hare at 0.50
    ({"commitments": [{**TALK, "place": "airport"}], "trip": {"max_drive": "1h"}},
     "on Mon 05 Oct the commitments alone need 100 minutes of driving, over the 60-minute cap"),
    ({"customers": [customer_row("Evanston", 42.0451, -87.6877, 10, must_visit=True)], "budget": 10},
     "must-visit customer 'Evanston' cannot be visited: visiting it, even as the only customer, costs more than "
     "the budget: it would need 13.96 USD more"),  # 2 x 24.0 km at 0.50, less the budget of 10
], ids=["commitments_over_budget", "commitments_over_the_driving_cap", "must_visit_alone_over_budget"])
def test_proven_infeasible_exits_1_with_the_reason_plan_gives(one_day, overrides, fragment):
    customers = overrides.pop("customers", [customer_row("Anyone", 41.89, -87.63, 5)])
    path = one_day(customers, **overrides)
    checked, planned = _check(path), CliRunner().invoke(app, ["plan", str(path)])
    assert checked.exit_code == planned.exit_code == 1, checked.output + planned.output
    assert fragment in checked.output and fragment in planned.output
    assert "ok" not in checked.stdout and "Traceback" not in checked.output


def test_far_customer_is_warned_before_an_infeasible_verdict(one_day):
    """The warning still helps when the scenario has no plan (here: the commitment costs more
    than the budget); the customers' median is in Chicago, among the local accounts."""
    local = [customer_row(f"Local {i}", 41.89 + 0.01 * i, -87.63, 5) for i in range(3)]
    path = one_day([customer_row("Denver Data", *DENVER[0], 10), *local],
                   commitments=[{**TALK, "place": "airport"}], budget=20)
    result = _check(path)
    assert result.exit_code == 1
    assert "(Denver Data): at 39.7400, -104.9900: farther than 800 km" in result.output
    assert "the commitments alone cost" in result.output


def _town_row(name, city="Evanston, IL", value=10):
    return {"name": name, "city": city, "value": value, "meeting": "45min", "hours": "Mon 09:00-17:00"}


def test_customers_on_one_point_are_warned_by_name(one_day):
    """Three accounts placed by `city: Evanston, IL` all get the town's one point: one warning,
    at the first row, naming the three and how the point was read; a fourth elsewhere, and two
    customers placed at the venue on purpose (`place: venue`), are not in it."""
    rows = [_town_row(n) for n in ("North Shore Bank", "Lakefront Labs", "Davis St Dental")]
    rows += [customer_row("Downtown", 41.89, -87.63, 10),
             *[{**_town_row(n), "city": None, "place": "venue"} for n in ("Booth A", "Booth B")]]
    rows = [{k: v for k, v in r.items() if v is not None} for r in rows]
    scenario = tripopt.load_scenario(one_day(rows))
    (warning,) = far_customers(scenario)
    assert warning.severity == "warning" and "(North Shore Bank)" in warning.where
    assert warning.message.startswith("3 customers on one point (42.0")
    assert "city 'Evanston, IL' read as Evanston" in warning.message
    assert "'North Shore Bank', 'Lakefront Labs', 'Davis St Dental';" in warning.message
    assert "with no distance between them (only the travel.buffer)" in warning.message
    assert "Booth" not in warning.message
    result = _check(one_day(rows))
    assert result.exit_code == 0 and "3 customers on one point" in result.output, result.output


def test_many_customers_on_one_point_are_counted_past_the_first_names(one_day):
    rows = [customer_row(f"Tower {i:02d}", 41.8789, -87.6359 + 0.02, 10) for i in range(11)]
    (warning,) = far_customers(tripopt.load_scenario(one_day(rows)))
    assert warning.message.startswith("11 customers on one point (41.8789, -87.6159): 'Tower 00',")
    assert "'Tower 07' and 3 more;" in warning.message
