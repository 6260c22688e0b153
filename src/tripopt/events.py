"""Events the plan may attend (docs/scenario.md, events): user groups, meetups, partner dinners.

An event meets several customers at once and a customer counts once, visited or met, so
what attending is worth depends on what else the plan does: it is no prize a routing
model can hold. The plan's choice of events (which, and by whom in a team) is decided by
comparing plans instead, each made by the ordinary planner (`Planning`, passed in by
planner.py, which sits above this module):

- **One choice, planned exactly as a scenario without events** (`combined`): its events
  are commitments of their travellers (at the place for the whole time) and their costs
  come off the budget; their attendees are met, so a visit to one would add nothing and
  they leave the candidates (a must-visit met there is satisfied). That plan, with the
  met customers' values and the events' own values added (`decode.with_events`), is the
  best plan attending exactly those events whenever the planner's is the best plan of the
  combined scenario: a plan that also visited a met attendee is worth no more and costs
  no less. So comparing the choices by (value, cost, driving) is exact when every choice
  is compared and each is planned exhaustively (small scenarios): the plan then says
  `optimal`.
- **Which choices.** Each event by each traveller who may attend it and can (`_alone`
  proves who cannot: an overlap, no time to get there or back, the cap, the budget), no
  traveller at two events at once. Small scenarios plan every choice (up to
  EXACT_CHOICES). Otherwise one or two choices share the time; more get a quick look each
  (`Planning.glance`, deterministic) and then the empty choice and the best looking
  FINALS others get the real search, warm-started from their look. Beyond MAX_CHOICES
  choices only the empty one, each event alone and the greedy union of the events that
  gained alone are looked at.
- **Completed.** An event that fits into the best plan with every visit kept, within the
  budget, and that brings value (its own, or customers not yet visited or met), is added
  (`_complete`), so "it does not fit beside the plan's visits" is always true.
- **Explained** (`_explain`): every event not attended gets a reason that is a checked
  claim (proven, or what the compared plans showed, or labelled "not decided"), and the
  unvisited customers' codes hold beside the events the plan attends (docs/reasons.md).
- **Held** (`Hold`, a re-plan's): the events that stay attended are in every choice
  compared (the floor that takes the empty choice's place), and a traveller who can no
  longer attend an event (it has begun, or is out of reach) is no candidate for it, with
  the reason its skip states.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .compile import CENTS, CompiledProblem, base_routes, check_times, compile_layout, layouts
from .decode import encode, with_events
from .diagnose import customer_reason
from .errors import InfeasibleError, UndecidedError
from .exact import tour_cost
from .grammar import Hours
from .limits import Interrupted
from .model import Commitment, Event, Scenario, SolverSettings, Traveller
from .plan import Outline, Plan, SkippedEvent, Totals, Unvisited, weighed
from .problem import NO_LUNCH, Schedule, earliest_schedule, evaluate

Choice = tuple[tuple[int, str], ...]  # (event index, traveller name) of each attended event, by event index
Progress = Callable[[float, float], None]
Refine = Callable[[CompiledProblem], CompiledProblem]

EXACT_CHOICES = 64  # small scenarios: every choice planned exhaustively up to this many
MAX_CHOICES = 24  # more choices than this: only the empty one, single events and a greedy union are looked at
GLANCE_SHARE = 0.2  # of the time limit, for the quick looks at the choices
FINALS = 2  # choices besides the empty one that get the real search
COMPLETE_SHARE = 0.1  # of the time limit, for the search after an event was added to the plan
_NOWHERE = Hours(())  # a met customer's hours in a combined scenario: never visited
_DAY = "%a %d %b"


@dataclass(frozen=True)
class Planning:
    """The planner's functions for a scenario without events (planner.py passes them)."""

    solve: Callable[..., Plan]  # (scenario, progress, interrupted, warm_start, refine, layout)
    adopt: Callable[[Scenario, Outline], Plan]
    proof: Callable[[Scenario], str | None]
    glance: Callable[..., Plan | None]  # (scenario, interrupted, refine, layout)
    exact_customers: int  # scenarios with at most this many customers are planned exhaustively


@dataclass(frozen=True)
class Hold:
    """What a re-plan holds about the events (replan.py): `attend`, the events that stay
    attended and by whom (done, under way or booked), in every choice compared; `barred`,
    (event index, traveller, why) for each traveller who can no longer attend an event
    (it has begun, or cannot be reached from where the traveller is)."""

    attend: Choice = ()
    barred: tuple[tuple[int, str, str], ...] = ()

    def verdicts(self, alone: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
        """`_alone`'s verdicts under the hold: a held event by its own traveller only (the
        plan being followed shows that it can), a barred traveller with why."""
        held = dict(self.attend)
        why = {(i, who): text for i, who, text in self.barred}
        return [{held[i]: None} if i in held else {who: why.get((i, who), verdict) for who, verdict in verdicts.items()}
                for i, verdicts in enumerate(alone)]

    def plus(self, *pairs: tuple[int, str]) -> Choice:
        """The held events with `pairs` besides: a choice as the search compares them."""
        return tuple(sorted({*self.attend, *pairs}))


@dataclass
class _Tried:
    """What is known about one choice: its plan (with the events: full value and cost),
    the combined scenario's outline of it, or why no plan attends exactly these events."""

    choice: Choice
    plan: Plan | None = None
    inner: Outline | None = None  # the plan as an outline of the combined scenario (events as commitments)
    failure: str | None = None  # proven: no plan attends exactly these events
    undecided: str | None = None  # no plan found, and not proven that none exists
    searched: bool = False  # by the real search (else a glance)

    def rank(self) -> tuple[float, float, int, int, Choice]:
        assert self.plan is not None
        return (-self.plan.value, self.plan.cost, self.plan.drive_minutes, len(self.choice), self.choice)


# -- one choice as a scenario without events ---------------------------------------------------


def combined(scenario: Scenario, choice: Choice, keep: frozenset[str] = frozenset()) -> Scenario:
    """The scenario in which the events of `choice` are commitments of their travellers,
    their costs come off the budget, and their attendees (but those in `keep`, visited in
    a plan being re-checked) are met: never visited, no longer a must."""
    attended = [scenario.events[i] for i, _ in choice]
    met = {name for e in attended for name in e.attendees} - keep
    customers = tuple(dataclasses.replace(c, value=0.0, must_visit=False, hours=_NOWHERE) if c.name in met else c
                      for c in scenario.customers)
    budget = None if scenario.budget is None else scenario.budget - sum(e.cost for e in attended)
    commitments = scenario.commitments + _stand_ins(scenario, choice)
    return dataclasses.replace(scenario, customers=customers, commitments=commitments, budget=budget, events=())


def _stand_ins(scenario: Scenario, choice: Choice) -> tuple[Commitment, ...]:
    """The commitments that stand for the events of `choice`, in its order."""
    team = bool(scenario.travellers)
    return tuple(Commitment(e.name, e.place, e.day, e.start_minute, e.end_minute, (who,) if team else ())
                 for e, who in ((scenario.events[i], who) for i, who in choice))


def _as_planned(scenario: Scenario, choice: Choice, inner: Plan) -> Plan:
    """The combined scenario's plan as a plan of the scenario with its events, and so its
    best plan with no extension day (every attendee is met there: none is visited)."""
    attended = dict(zip(_stand_ins(scenario, choice), (scenario.events[i] for i, _ in choice)))
    plain = inner.without_extensions
    if plain is not None:
        fee = sum(scenario.events[i].cost for i, _ in choice)
        plain = Totals(round(plain.value + _offset(scenario, choice), 6), round(plain.cost + fee, 2), plain.visited)
    return dataclasses.replace(with_events(inner, scenario, attended), without_extensions=plain)


def _limited(scenario: Scenario, share: float) -> Scenario:
    """The scenario with `share` of its time limit (and of its work limit, if it sets one)."""
    solver = scenario.solver
    work = None if solver.work_limit is None else max(1, math.floor(solver.work_limit * share))
    return dataclasses.replace(scenario, solver=SolverSettings(solver.time_limit_seconds * share, work))


def _offset(scenario: Scenario, choice: Choice) -> float:
    """What a choice brings besides its combined plan's visits: the attendees' values
    (each once) and the events' own values."""
    events = [scenario.events[i] for i, _ in choice]
    met = {name for e in events for name in e.attendees}
    return sum(c.value for c in scenario.customers if c.name in met) + sum(e.value for e in events)


def _to_inner(scenario: Scenario, outline: Outline) -> tuple[Choice, Outline] | None:
    """A plan's outline as (its choice of events, the combined scenario's outline), or
    None if it names an unknown event, attends one twice, or on a day or by a traveller
    that cannot."""
    index = {e.name: i for i, e in enumerate(scenario.events)}
    team = {t.name: t for t in scenario.team}
    choice: dict[int, str] = {}
    days = []
    for (who, day), stops in outline.days:
        for kind, name in stops:
            if kind != "event":
                continue
            i = index.get(name)
            if i is None or i in choice or scenario.events[i].day != day or who not in team \
                    or not scenario.events[i].may_attend(team[who]):
                return None
            choice[i] = who
        days.append(((who, day), tuple(("commitment" if kind == "event" else kind, name) for kind, name in stops)))
    return tuple(sorted(choice.items())), dataclasses.replace(outline, days=tuple(days))


# -- who can attend an event at all ---------------------------------------------------------------


def _alone(scenario: Scenario, only: tuple[int, int] | None) -> list[dict[str, str | None]]:
    """Per event, per traveller who may attend it: None if that traveller can attend it
    with the commitments (on some choice of extension days, within the budget), else the
    proven reason why not."""
    found = []
    for index, event in enumerate(scenario.events):
        found.append({t.name: _cannot_attend(scenario, index, t, only) for t in scenario.team if event.may_attend(t)})
    return found


def _cannot_attend(scenario: Scenario, index: int, traveller: Traveller, only: tuple[int, int] | None) -> str | None:
    event = scenario.events[index]
    clash = [k for k in scenario.commitments if k.day == event.day and _binds(k, traveller)
             and k.start_minute < event.end_minute and event.start_minute < k.end_minute]
    if clash:
        return "it overlaps " + ", ".join(f"'{k.name}' ({_hhmm(k.start_minute)}-{_hhmm(k.end_minute)})" for k in clash)
    choice = ((index, traveller.name),)
    single = combined(scenario, choice)
    reasons = []
    for layout in layouts(single):
        if only is not None and (layout.before, layout.after) != only:
            continue
        compiled = compile_layout(single, layout)
        p = compiled.problem
        stand_in = len(scenario.commitments)  # the event's commitment comes after the scenario's own
        node = next((n for n, kind in enumerate(compiled.node_kind)
                     if kind == "commitment" and compiled.node_ref[n] == stand_in and p.windows[n]), None)
        if node is None:
            continue  # a layout without the event's day
        allowed = p.allowed_tours[node] or ()
        t = allowed[0]
        base = base_routes(compiled)
        without = tuple(n for n in base[t] if n != node)
        if earliest_schedule(p, t, without).failed_at is not None:
            continue  # the commitments alone fail this layout: no plan here, whatever the event
        timed = earliest_schedule(p, t, base[t])
        if timed.failed_at is not None:
            reasons.append(_unreachable(compiled, t, base[t], node, timed))
            continue
        spent = tour_cost(p, base)
        if p.budget is not None and spent > p.budget:
            total = spent / CENTS + compiled.layout.fixed_cost + event.cost
            reasons.append(f"attending it costs more than the budget: with the commitments alone it would cost "
                           f"{total:,.2f} {scenario.currency}, over the budget of {scenario.budget:,.2f}")
            continue
        return None
    if not reasons:
        return "no choice of extension days keeps the commitments"
    layouts_note = " (on every choice of extension days)" if len(reasons) > 1 else ""
    return reasons[0] + layouts_note


def _binds(commitment: Commitment, traveller: Traveller) -> bool:
    return not commitment.who or traveller.name in commitment.who


def _unreachable(compiled: CompiledProblem, t: int, route: tuple[int, ...], node: int, timed: Schedule) -> str:
    """Why a day with the event among its commitments fails (`timed` failed)."""
    p, scenario = compiled.problem, compiled.scenario
    tour = p.tours[t]
    clock = lambda minute: f"{compiled.local_time(t, minute):%H:%M}"
    assert timed.failed_at is not None
    if timed.failed_at == -1:
        return (f"with it the day's driving ({timed.drive} minutes) is over the {tour.max_drive}-minute driving cap")
    if timed.failed_at == NO_LUNCH:
        return "with it the day leaves no room for lunch"
    if timed.failed_at == len(route):
        return (f"after it the traveller cannot be back at {scenario.places[tour.end_place].name} by "
                f"{clock(tour.latest_end)} (the earliest is {clock(timed.arrive_end)})")
    failing = route[timed.failed_at]
    name = lambda n: scenario.commitments[compiled.node_ref[n]].name
    if failing == node:
        before = (f"leaving '{name(route[timed.failed_at - 1])}' at {clock(timed.times[-1][2])}" if timed.failed_at
                  else f"starting from {scenario.places[tour.start_place].name} at {clock(tour.earliest_start)}")
        return f"it cannot be reached by its start: {before}, the earliest arrival is {clock(timed.arrive_end)}"
    return (f"after it '{name(failing)}' cannot be reached by its start at {clock(p.windows[failing][0][0])} "
            f"(the earliest arrival is {clock(timed.arrive_end)})")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _amount(value: float) -> str:
    """A value as the plan's texts write one: 2,810,000, or 12.50 when it has a fraction."""
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


# -- the choices -------------------------------------------------------------------------------------


def _worthless(scenario: Scenario, event: Event) -> bool:
    """An event that can bring nothing, whatever the plan: no value of its own, and its
    attendees (if any) of value 0 and no must-visit (attending only adds a commitment)."""
    value = {c.name: (c.value, c.must_visit) for c in scenario.customers}
    return event.value == 0 and all(value[a] == (0.0, False) for a in event.attendees)


def _compatible(scenario: Scenario, choice: Choice) -> bool:
    """No traveller at two events at once, and the events' costs within the budget."""
    for (i, t), (j, u) in itertools.combinations(choice, 2):
        a, b = scenario.events[i], scenario.events[j]
        if t == u and a.day == b.day and a.start_minute < b.end_minute and b.start_minute < a.end_minute:
            return False
    return scenario.budget is None or sum(scenario.events[i].cost for i, _ in choice) <= scenario.budget + 1e-9


def _all_choices(scenario: Scenario, able: list[list[str]], limit: int, floor: Choice = ()) -> list[Choice] | None:
    """Every compatible choice that attends the events of `floor` (the smallest first,
    then by size), or None if there are more than `limit` before the compatibility filter."""
    if math.prod(len(a) + 1 for a in able) > limit:
        return None
    picks = itertools.product(*[[None, *a] for a in able])
    choices = [tuple((i, t) for i, t in enumerate(pick) if t is not None) for pick in picks]
    return sorted((c for c in choices if set(floor) <= set(c) and _compatible(scenario, c)),
                  key=lambda c: (len(c), c))


class _Search:
    """One run of `solve`: the choices tried so far and the shared clock and progress."""

    def __init__(self, scenario: Scenario, planning: Planning, progress: Progress | None,
                 interrupted: Interrupted, refine: Refine | None, layout: tuple[int, int] | None,
                 hold: Hold = Hold()) -> None:
        self.scenario, self.planning = scenario, planning
        self.progress, self.interrupted = progress, interrupted
        self.refine, self.layout = refine, layout
        self.hold = hold
        self.floor = hold.plus()  # the smallest choice compared: the events held (sorted, as every choice)
        self.started = time.monotonic()
        self.best_value = 0.0
        self.tried: dict[Choice, _Tried] = {}

    def _report(self, offset: float) -> Progress:
        def report(elapsed: float, value: float) -> None:
            self.best_value = max(self.best_value, value + offset)
            if self.progress is not None:
                self.progress(time.monotonic() - self.started, self.best_value)
        return report

    def run(self, choice: Choice, share: float, warm: Outline | None = None) -> _Tried:
        """The real search of one choice (never worse than `warm`, an outline of its
        combined scenario)."""
        scenario = _limited(combined(self.scenario, choice), share)
        tried = _Tried(choice, searched=True)
        try:
            inner = self.planning.solve(scenario, self._report(_offset(self.scenario, choice)), self.interrupted,
                                        warm, self.refine, self.layout)
        except InfeasibleError as exc:
            tried.failure = str(exc)
        except UndecidedError as exc:
            tried.undecided = str(exc)
        else:
            tried.plan, tried.inner = _as_planned(self.scenario, choice, inner), inner.outline
        self._keep(tried)
        return self.tried[choice]

    def adopt(self, choice: Choice, outline: Outline, keep: frozenset[str]) -> _Tried:
        """A plan of one choice taken as given (an outline of its combined scenario keeping
        the visits `keep`), re-checked and explained without a search."""
        tried = _Tried(choice)
        try:
            inner = self.planning.adopt(combined(self.scenario, choice, keep), outline)
        except InfeasibleError as exc:
            tried.undecided = str(exc)  # not a proof about the choice: only this plan breaks a rule
        else:
            tried.plan, tried.inner = _as_planned(self.scenario, choice, inner), inner.outline
        self._keep(tried)
        return self.tried[choice]

    def glance(self, choice: Choice, share: float) -> _Tried:
        scenario = _limited(combined(self.scenario, choice), share)
        inner = self.planning.glance(scenario, self.interrupted, self.refine, self.layout)
        tried = _Tried(choice)
        if inner is not None:
            tried.plan, tried.inner = _as_planned(self.scenario, choice, inner), inner.outline
            self._report(0.0)(0.0, tried.plan.value)
        self._keep(tried)
        return self.tried[choice]

    def _keep(self, tried: _Tried) -> None:
        """Keep the better of what is known about a choice (a real search's failure or
        undecided verdict is kept beside a glance's plan)."""
        old = self.tried.get(tried.choice)
        if old is None:
            self.tried[tried.choice] = tried
            return
        if tried.plan is not None and (old.plan is None or tried.rank() <= old.rank()):
            old.plan, old.inner = tried.plan, tried.inner
        old.searched |= tried.searched
        old.failure = old.failure or tried.failure
        old.undecided = old.undecided or tried.undecided

    def best(self) -> _Tried | None:
        return min((t for t in self.tried.values() if t.plan is not None), key=_Tried.rank, default=None)


# -- planning with events ---------------------------------------------------------------------------


def solve(scenario: Scenario, planning: Planning, progress: Progress | None = None,
          interrupted: Interrupted | None = None, warm_start: Outline | None = None,
          refine: Refine | None = None, layout: tuple[int, int] | None = None, hold: Hold = Hold()) -> Plan:
    """The best plan found for a scenario with events (see the module's docstring);
    `hold`: what a re-plan keeps of the events (replan.py)."""
    check_times(scenario)
    interrupted = interrupted or Interrupted()
    search = _Search(scenario, planning, progress, interrupted, refine, layout, hold)
    alone = hold.verdicts(_alone(scenario, layout))
    held = {i for i, _ in hold.attend}
    able = [[] if _worthless(scenario, e) and i not in held else [t for t, reason in verdicts.items() if reason is None]
            for i, (e, verdicts) in enumerate(zip(scenario.events, alone))]
    warm = _to_inner(scenario, warm_start) if warm_start is not None else None
    exact = len(scenario.customers) <= planning.exact_customers
    choices = _all_choices(scenario, able, EXACT_CHOICES if exact else MAX_CHOICES, search.floor)
    complete_list = choices is not None
    if warm is not None and choices is not None and warm[0] not in choices:
        warm = None  # a choice that cannot be attended: the outline is not a plan of this scenario
    if exact and choices is not None:
        for choice in choices:
            if interrupted.set:
                break
            search.run(choice, 1 / len(choices), warm[1] if warm is not None and warm[0] == choice else None)
    else:
        _heuristic(search, choices, able, warm)
    best = search.best()
    if best is None:
        _no_plan(search, choices)
    assert best is not None
    best = _complete(search, best, alone)
    everything = complete_list and choices is not None and len(search.tried) >= len(choices) and all(
        t.searched and t.undecided is None and (t.plan is None or t.plan.optimal) for t in search.tried.values())
    plan = _explain(search, best, alone, everything, layout)
    if layout is None and len(layouts(scenario)) > 1:  # what the extension days buy, over every choice
        plan = weighed(plan, (t.plan.no_extension_totals for t in search.tried.values() if t.plan is not None))
    stops = {t.plan.stopped_by for t in search.tried.values() if t.plan is not None and t.searched}
    stopped = "interrupt" if interrupted.set or "interrupt" in stops else "time" if "time" in stops else "work"
    return dataclasses.replace(plan, optimal=everything and plan.optimal, stopped_by=stopped,
                               seconds=time.monotonic() - search.started)


def _heuristic(search: _Search, choices: list[Choice] | None, able: list[list[str]],
               warm: tuple[Choice, Outline] | None) -> None:
    """Choices of a scenario too large to plan exhaustively: one or two share the time;
    more get a glance each, then the empty one and the FINALS best looking others (and a
    warm start's) get the real search."""
    scenario = search.scenario
    warm_choice = warm[0] if warm is not None else None
    if choices is not None and len(choices) <= 2:
        for choice in choices:
            search.run(choice, 1 / len(choices), warm[1] if warm is not None and warm[0] == choice else None)
        return
    looked = choices if choices is not None else _singles(scenario, able, search.hold)
    glances = len(looked) + (1 if choices is None else 0)
    for choice in looked:
        if search.interrupted.set:
            return
        search.glance(choice, GLANCE_SHARE / glances)
    if choices is None:  # the greedy union of the single events that gained
        union = _greedy_union(search)
        if union != search.floor and union not in search.tried:
            search.glance(union, GLANCE_SHARE / glances)
    ranked = sorted((t for t in search.tried.values() if t.plan is not None and t.choice != search.floor),
                    key=_Tried.rank)
    finals: list[Choice] = [search.floor, *[t.choice for t in ranked[:FINALS]]]
    if warm_choice is not None and warm_choice not in finals:
        finals.append(warm_choice)
    share = (1 - GLANCE_SHARE) / len(finals)
    for choice in finals:
        if search.interrupted.set:
            return
        seen = search.tried.get(choice)
        start = warm[1] if warm is not None and warm[0] == choice else seen.inner if seen is not None else None
        search.run(choice, share, start)
    if search.best() is None:  # every final failed: the others in turn, until one has a plan
        rest = [c for c in (choices or looked) if not search.tried.get(c, _Tried(c)).searched]
        for choice in rest:
            if search.interrupted.set or search.best() is not None:
                return
            search.run(choice, share)


def _singles(scenario: Scenario, able: list[list[str]], hold: Hold) -> list[Choice]:
    """The held events alone (the empty choice without a hold) and with each other event
    by each traveller who can attend it, most promising first (own value and attendees'
    values), at most MAX_CHOICES."""
    value = {c.name: c.value for c in scenario.customers}
    held = {i for i, _ in hold.attend}
    singles = [(i, t) for i, a in enumerate(able) if i not in held for t in a]
    worth = lambda pick: -(scenario.events[pick[0]].value + sum(value[n] for n in scenario.events[pick[0]].attendees))
    return [hold.plus(), *[hold.plus(pick) for pick in sorted(singles, key=lambda p: (worth(p), p))[:MAX_CHOICES - 1]]]


def _greedy_union(search: _Search) -> Choice:
    """The single events that gained on their glance over the held events' alone (the
    empty choice's), most first, each added while the union stays compatible."""
    base = search.floor
    empty = search.tried.get(base)
    floor = empty.plan.value if empty is not None and empty.plan is not None else 0.0
    gained = sorted((t for t in search.tried.values() if len(t.choice) == len(base) + 1 and set(base) <= set(t.choice)
                     and t.plan is not None and t.plan.value > floor), key=_Tried.rank)
    union: list[tuple[int, str]] = list(base)
    for t in gained:
        (event, who), = set(t.choice) - set(base)
        if all(e != event for e, _ in union) and _compatible(search.scenario, tuple(sorted([*union, (event, who)]))):
            union.append((event, who))
    return tuple(sorted(union)) if len(union) > len(base) + 1 else base


def _no_plan(search: _Search, choices: list[Choice] | None) -> None:
    """No choice has a plan: InfeasibleError when that is proven for every choice (or for
    the empty one, when no event meets a must-visit customer: attending only adds
    commitments then), else UndecidedError."""
    scenario = search.scenario
    empty = search.tried.get(search.floor)
    musts = {c.name for c in scenario.customers if c.must_visit}
    helps = any(musts & set(e.attendees) for e in scenario.events)
    reason = empty.failure if empty is not None else None
    if reason is not None and not helps:
        raise InfeasibleError(reason)
    proven = choices is not None and all(search.tried.get(c, _Tried(c)).failure is not None for c in choices)
    if reason is not None and proven:
        raise InfeasibleError(f"{reason}; attending the events does not help: every choice of events was checked")
    undecided = next((t.undecided for t in search.tried.values() if t.undecided), None)
    raise UndecidedError(undecided or f"no plan was found within {time.monotonic() - search.started:.1f} s, and "
                         "it is not decided whether attending some of the events would make one possible")


# -- completing the best plan with the events that fit ---------------------------------------------


def _complete(search: _Search, best: _Tried, alone: list[dict[str, str | None]]) -> _Tried:
    """Add to the best plan, while one fits, an event that brings value (its own, or
    customers neither visited nor met) and fits with every visit kept (the visits to its
    attendees become meetings there), within the budget; the most valuable first. After
    Ctrl-C there is no search: the event is only added, the visits to its attendees kept
    (so every reason the plan gives about its customers stays true)."""
    while True:
        stopped = search.interrupted.set
        if stopped and search.refine is not None:
            return best  # a re-plan's rules hold only through a search (planner.adopt knows no pins)
        added = _insertion(search, best, alone, keep_attendees=stopped)
        if added is None:
            return best
        choice, outline, keep = added
        tried = search.adopt(choice, outline, keep) if stopped else search.run(choice, COMPLETE_SHARE, outline)
        if tried.plan is None or best.plan is None or tried.rank() >= best.rank():
            return best
        best = tried


def _insertion(search: _Search, best: _Tried, alone: list[dict[str, str | None]],
               keep_attendees: bool = False) -> tuple[Choice, Outline, frozenset[str]] | None:
    """The most valuable event that fits into the best plan as it is: `_fits`'s answer, or None."""
    scenario, plan = search.scenario, best.plan
    assert plan is not None and best.inner is not None
    gains = sorted(((_gain(scenario, plan, i), i) for i in range(len(scenario.events))
                    if all(i != e for e, _ in best.choice)), key=lambda g: (-g[0], g[1]))
    for gain, index in gains:
        if gain <= 0:
            break
        for who, reason in alone[index].items():
            if reason is not None:
                continue
            fits = _fits(search, best, index, who, keep_attendees)
            if fits is not None:
                return fits
    return None


def _gain(scenario: Scenario, plan: Plan, index: int) -> float:
    """What attending an event would add to the plan: its own value and its attendees
    neither visited nor met."""
    event = scenario.events[index]
    covered = plan.visited_names | plan.met_names
    value = {c.name: c.value for c in scenario.customers}
    return event.value + sum(value[a] for a in event.attendees if a not in covered)


def _fits(search: _Search, best: _Tried, index: int, who: str,
          keep_attendees: bool = False) -> tuple[Choice, Outline, frozenset[str]] | None:
    """The best plan with event `index` attended by `who` at the cheapest position of
    that day that keeps every visit (the visits to its attendees left out, they are met
    there, unless `keep_attendees`), within the budget: (the choice with it, the combined
    outline with it, the customers visited that the combined scenario keeps as they are);
    None if it fits nowhere."""
    scenario, plan, inner = search.scenario, best.plan, best.inner
    assert plan is not None and inner is not None
    choice = tuple(sorted([*best.choice, (index, who)]))
    if not _compatible(scenario, choice):
        return None
    event = scenario.events[index]
    attendees = set(event.attendees)
    visited = frozenset(name for _, stops in inner.days for kind, name in stops if kind == "visit")
    keep = visited if keep_attendees else visited - attendees
    single = combined(scenario, choice, keep)
    layout = next((lay for lay in layouts(single) if (lay.before, lay.after) == (plan.extension_before,
                                                                                 plan.extension_after)), None)
    if layout is None:
        return None
    compiled = compile_layout(single, layout)
    if search.refine is not None:
        compiled = search.refine(compiled)
    days = [(key, tuple(s for s in stops if s[0] != "visit" or s[1] in keep)) for key, stops in inner.days]
    options = []
    for d, (key, stops) in enumerate(days):
        if key != (who, event.day):
            continue
        for position in range(len(stops) + 1):
            placed = (*stops[:position], ("commitment", event.name), *stops[position:])
            outline = dataclasses.replace(inner, days=tuple((k, placed if e == d else s)
                                                            for e, (k, s) in enumerate(days)))
            routes = encode(compiled, outline)
            solution = evaluate(compiled.problem, routes) if routes is not None else None
            if solution is not None:
                options.append((solution.cost, solution.drive, position, outline))
    if not options:
        return None
    return choice, min(options, key=lambda o: o[:3])[3], keep


# -- explaining the plan: the events skipped, the customers not visited -----------------------------


def _explain(search: _Search, best: _Tried, alone: list[dict[str, str | None]], everything: bool,
             only: tuple[int, int] | None = None) -> Plan:
    """The best plan with a reason for every event it does not attend and unvisited
    customers' codes that hold beside the events it attends."""
    scenario, plan = search.scenario, best.plan
    assert plan is not None
    attended = {i for i, _ in best.choice}
    skipped = tuple(SkippedEvent(e.name, _skip_reason(search, best, i, alone[i], everything))
                    for i, e in enumerate(scenario.events) if i not in attended)
    unvisited = _unvisited(scenario, plan, best.choice, skipped, only)
    return dataclasses.replace(plan, skipped_events=skipped, unvisited=unvisited)


def _skip_reason(search: _Search, best: _Tried, index: int, verdicts: dict[str, str | None], everything: bool) -> str:
    scenario, plan = search.scenario, best.plan
    assert plan is not None
    event = scenario.events[index]
    team = bool(scenario.travellers)
    whose = lambda who, text: f"{who}: {text}" if team else text
    if not verdicts:
        return "no traveller of the team may attend it"
    proofs = []
    alone = "and no other event" if not search.floor else "beside the events kept from the plan being followed"
    for who, reason in verdicts.items():
        failure = search.tried.get(search.hold.plus((index, who)), _Tried(())).failure
        if reason is None and failure is not None:
            reason = f"attending it ({alone}), there is no plan: {failure}"
        if reason is not None:
            proofs.append(whose(who, reason))
    able = [who for who, reason in verdicts.items() if reason is None and not search.tried.get(
        search.hold.plus((index, who)), _Tried(())).failure]
    if not able:
        return "; ".join(proofs)
    covered = plan.visited_names | plan.met_names
    fresh = [a for a in event.attendees if a not in covered]
    if _worthless(scenario, event):  # in any plan: nothing to compare
        return "attending would add no value: " + _covered(plan, event, fresh)
    if _gain(scenario, plan, index) <= 0:
        text = "attending would add no value: " + _covered(plan, event, fresh)
    else:
        displaces = _displaces(search, best, index, able)
        if displaces is None:
            gain = _gain(scenario, plan, index)
            return (f"not decided: it fits beside this plan's visits and would add {_amount(gain)}, but the search "
                    "stopped before it was added") + (f" ({'; '.join(proofs)})" if proofs else "")
        text = displaces
    compared = _compared(search, best, index, everything)
    others = f" ({'; '.join(proofs)})" if proofs else ""
    return text + (f"; {compared}" if compared else "") + others


def _covered(plan: Plan, event: Event, fresh: list[str]) -> str:
    """Why attending adds nothing (its own value is 0): every attendee is visited or met
    elsewhere, or those who are not (`fresh`) have value 0."""
    if not event.attendees:
        return "it has no attendees and no value of its own"
    met_at = {c.name: s.name for d in plan.days for s in d.events for c in s.met}
    elsewhere = sorted({met_at[a] for a in event.attendees if a in met_at})
    if fresh:
        names = ", ".join(fresh)
        return f"the attendees it would meet ({names}) have value 0, and it has no value of its own"
    where = "every attendee is visited" if not elsewhere else (
        "every attendee is visited or met at " + ", ".join(f"'{n}'" for n in elsewhere))
    return where + ", and it has no value of its own" if event.value == 0 else where


def _displaces(search: _Search, best: _Tried, index: int, able: list[str]) -> str | None:
    """Attending would bring value, but it fits into no position of the plan's day (each
    is tried here, `_fits`): it would displace visits or need more budget. None if it fits."""
    scenario, plan = search.scenario, best.plan
    assert plan is not None
    if any(_fits(search, best, index, who) is not None for who in able):
        return None
    event = scenario.events[index]
    day = f"{event.day:{_DAY}}"
    at_once = lambda other: (other.day == event.day and other.start_minute < event.end_minute
                             and event.start_minute < other.end_minute)
    busy = [scenario.events[i].name for i, who in best.choice if who in able and at_once(scenario.events[i])]
    days = " and ".join(f"{who}'s {day}" if who else day for who in able)
    text = (f"attending it would displace visits or need more budget: it fits nowhere on {days} beside this plan's "
            f"visits, commitments and events (every position was tried, the budget kept)")
    if busy:
        text += "; this plan attends " + ", ".join(f"'{n}'" for n in busy) + " at the same time"
    return text


def _compared(search: _Search, best: _Tried, index: int, everything: bool) -> str:
    """What the plans compared say about attending the event: the best found (proven
    best when every choice was planned exhaustively), or that none was planned."""
    plan = best.plan
    assert plan is not None
    with_it = [t for t in search.tried.values() if t.plan is not None and any(i == index for i, _ in t.choice)]
    if not with_it:
        if any(t.failure is None and any(i == index for i, _ in t.choice) for t in search.tried.values()):
            return "no plan attending it was found"
        return "not decided whether a plan attending it instead of some visits is worth more: no such plan was searched"
    top = min(with_it, key=_Tried.rank)
    assert top.plan is not None
    found = "the best plan attending it" if everything else "the best plan found that attends it"
    checked = " (every choice of events was planned exhaustively)" if everything else (
        "" if top.searched else " (a quick look, not a full search)")
    if top.plan.value < plan.value - 1e-9:
        return f"{found} is worth {_amount(top.plan.value)}, this plan {_amount(plan.value)}{checked}"
    return (f"attending would cost more than it brings in this plan: {found} is worth as much "
            f"({_amount(top.plan.value)}) and costs {top.plan.cost:,.2f} {plan.currency}, this plan "
            f"{plan.cost:,.2f}{checked}")


def _unvisited(scenario: Scenario, plan: Plan, choice: Choice, skipped: Sequence[SkippedEvent],
               only: tuple[int, int] | None) -> tuple[Unvisited, ...]:
    """The unvisited customers' entries, true beside the events attended: a code about the
    customer alone (`conflicts`, `over_budget`) that only the attended events cause is
    `lower_value` instead (the plan could see it by not attending them), and an attendee
    of a skipped event says so."""
    names = ", ".join(f"'{scenario.events[i].name}'" for i, _ in choice)
    base: list[CompiledProblem] | None = None
    entries = []
    skipping = {s.name for s in skipped}
    attendees = {name for e in scenario.events for name in e.attendees}
    musts_met = any(c.must_visit and c.name in attendees for c in scenario.customers)  # could be met instead
    for u in plan.unvisited:
        if (choice or musts_met) and u.code in ("conflicts", "over_budget"):
            if base is None:
                base = _free_of_events(scenario, only)
            index = next(i for i, c in enumerate(scenario.customers) if c.name == u.name)
            own = customer_reason(base, index)
            if own is not None:
                u = dataclasses.replace(u, code=own[0], reason=own[1])
            elif choice:
                why = u.reason.replace("by the commitments with their travel", "by the commitments and events with "
                                       "their travel")
                u = dataclasses.replace(u, code="lower_value",
                                        reason=f"no room beside the events this plan attends ({names}): {why}")
            else:  # over_budget beside the must-visits, who could be met at an event in another plan
                u = dataclasses.replace(u, code="lower_value", reason=f"no room beside this plan's must-visit "
                                        f"visits: {u.reason}")
        elif choice and u.code == "lower_value":
            u = dataclasses.replace(u, reason=u.reason.replace("beside the plan's visits",
                                                               "beside the plan's visits and events", 1))
        at = [e.name for e in scenario.events if u.name in e.attendees and e.name in skipping]
        if at:
            u = dataclasses.replace(u, reason=u.reason + "; not met at an event either: it attends "
                                    + ", ".join(f"'{n}'" for n in at) + ", which this plan does not attend")
        entries.append(u)
    return tuple(entries)


def _free_of_events(scenario: Scenario, only: tuple[int, int] | None) -> list[CompiledProblem]:
    """The scenario's layouts without events, the must-visit customers who attend an event
    made optional (one could be met there instead): what holds for a customer on these
    holds whichever events a plan attends."""
    musts = {name for e in scenario.events for name in e.attendees}
    customers = tuple(dataclasses.replace(c, must_visit=False) if c.name in musts else c for c in scenario.customers)
    free = dataclasses.replace(scenario, customers=customers, events=())
    return [compile_layout(free, layout) for layout in layouts(free)
            if only is None or (layout.before, layout.after) == only]


# -- re-checking a plan made elsewhere, and infeasibility without a search -----------------------------


def adopt(scenario: Scenario, outline: Outline, planning: Planning) -> Plan:
    """A plan with events made for another version of the scenario, re-checked and
    re-explained under this one without searching (InfeasibleError if it breaks a rule
    or names events this scenario cannot attend so)."""
    check_times(scenario)
    inner = _to_inner(scenario, outline)
    if inner is None:
        raise InfeasibleError("the plan does not keep this scenario's rules")
    choice, converted = inner
    visited = frozenset(name for _, stops in converted.days for kind, name in stops if kind == "visit")
    plan = planning.adopt(combined(scenario, choice, keep=visited), converted)
    attended = dict(zip(_stand_ins(scenario, choice), (scenario.events[i] for i, _ in choice)))
    tried = _Tried(choice, with_events(plan, scenario, attended), plan.outline, searched=True)
    search = _Search(scenario, planning, None, Interrupted(), None, None)
    search.tried[choice] = tried
    return _explain(search, tried, _alone(scenario, None), False)


def proven_infeasibility(scenario: Scenario, planning: Planning) -> str | None:
    """The proven reason no plan exists whatever events it attends, or None. Attending
    only adds commitments and costs, unless an event meets a must-visit customer: then
    every choice of events is checked (None when there are too many to check)."""
    reason = planning.proof(combined(scenario, ()))
    if reason is None:
        return None
    musts = {c.name for c in scenario.customers if c.must_visit}
    if not any(musts & set(e.attendees) for e in scenario.events):
        return reason
    able = [[t for t, why in verdicts.items() if why is None] for verdicts in _alone(scenario, None)]
    choices = _all_choices(scenario, able, EXACT_CHOICES)
    if choices is None or any(planning.proof(combined(scenario, c)) is None for c in choices[1:]):
        return None
    return f"{reason}; attending the events does not help: every choice of events was checked"

