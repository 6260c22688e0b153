"""Scenario in, plan out: compile every extension layout, solve, keep the best, explain.

This is the library's main entry point (`tripopt.solve`). It raises InfeasibleError with
a diagnosed reason when no plan exists, and never returns a plan it has not re-checked.
A scenario with events is handed to `events.solve`, which decides which events to attend
by planning each choice of events as a scenario without events here (`PLANNING`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import events, pool
from .compile import CENTS, VALUE_SCALE, CompiledProblem, compile_layout, layouts
from .decode import decode, encode
from .diagnose import base_routes, core, core_reason, quick_infeasibility, unvisited_reasons
from .errors import InfeasibleError, InputError, Problem, UndecidedError
from .exact import BranchAndBound, Decision, insert, insertion_options, tour_cost
from .limits import (
    SCOUT_MIN_ITERATIONS,
    SCOUT_SHARE,
    Interrupted,
    lns_iterations_per_solution,
    phase_settings,
    resequence_work,
    scout_iterations,
    work_budget,
)
from .model import Scenario
from .plan import Outline, Plan, Totals, Unvisited, weighed
from .problem import Routes, RoutingProblem, RoutingSolution, evaluate
from .routing import scout
from .routing import solve as solve_routing

ProgressCallback = Callable[[float, float], None]  # (elapsed seconds, best value so far)


@dataclass(frozen=True)
class _Candidate:
    compiled: CompiledProblem
    solution: RoutingSolution
    reordered: frozenset[int] = frozenset()  # groups proven not to fit even with the visits re-ordered

    def rank(self) -> tuple[int, int, int]:
        """Contract order: value first, then cost (fixed costs included), then driving."""
        fixed = round(self.compiled.layout.fixed_cost * CENTS)
        return (-self.solution.prize, self.solution.cost + fixed, self.solution.drive)

    @property
    def extended(self) -> bool:
        return self.compiled.layout.before + self.compiled.layout.after > 0


EXACT_MAX_CUSTOMERS = 10  # scenarios this small are solved exhaustively when the work allows
EXACT_WORK = 100_000  # schedule checks per layout for that
RESEQUENCE_MAX_VISITS = 12  # plans this small are checked for re-ordered room for each left-out customer
RESEQUENCE_WORK = 20_000  # schedule checks per customer for that, at most


Refine = Callable[[CompiledProblem], CompiledProblem]  # extra rules on each compiled layout (a re-plan's pins)


def solve(scenario: Scenario, progress: ProgressCallback | None = None,
          interrupted: Interrupted | None = None, warm_start: Outline | None = None,
          refine: Refine | None = None, layout: tuple[int, int] | None = None) -> Plan:
    """The best plan found for the scenario; InfeasibleError with the reason only when it
    is proven that none exists (UndecidedError when that could not be decided). With
    events, `events.solve` decides which to attend (each choice planned by `_solve`)."""
    if scenario.events:
        return events.solve(scenario, PLANNING, progress, interrupted, warm_start, refine, layout)
    return _solve(scenario, progress, interrupted, warm_start, refine, layout)


def _solve(scenario: Scenario, progress: ProgressCallback | None = None,
           interrupted: Interrupted | None = None, warm_start: Outline | None = None,
           refine: Refine | None = None, layout: tuple[int, int] | None = None) -> Plan:
    """The best plan found for a scenario without events (see `solve`).

    First what is decided exactly (`diagnose.core`): the commitments and must-visits of
    each extension layout, together and within the budget. Small problems are then solved
    exhaustively (`_exact`), and the plan says it is optimal. Otherwise every layout is
    scouted by a fixed number of ruin-and-recreate iterations (deterministic, a few
    milliseconds each); the best one then gets the work budget and the rest of the time,
    warm-started from its scouting solution. The core plan and a `warm_start` plan that is
    feasible here (one found under a smaller budget, or by an earlier run) compete too, so the result is
    never worse than either. Last, every customer that fits into the chosen plan with
    every visit kept is added (`_complete`), so `lower_value` is always true. When the
    scenario may be extended, the plan states the best plan found with no extension day
    (`_weigh`): what its extension days buy.

    `refine` adds rules to each compiled layout (a re-plan holds what is done and booked);
    `layout` keeps only the extension days (before, after) given. A large scenario is
    searched on a pool of its customers (`_solve_pooled`).
    """
    counted = pool.census(scenario)
    if pool.pooled(scenario, counted):
        return _solve_pooled(scenario, counted, progress, interrupted, warm_start, refine, layout)
    return _explained(_planned(scenario, progress, interrupted, warm_start, refine, layout))


@dataclass(frozen=True)
class _Outcome:
    """A search's chosen plan, not yet explained: the layouts it compiled, the plan, what
    the plan is weighed against (the best plan found with no extension day: None when
    the scenario has one layout, empty when there is nothing to state) and whether it is
    proven optimal."""

    compiled_all: list[CompiledProblem]
    chosen: _Candidate
    weighed: tuple[Totals | None, ...] | None
    optimal: bool = False


def _planned(scenario: Scenario, progress: ProgressCallback | None, interrupted: Interrupted | None,
             warm_start: Outline | None, refine: Refine | None, layout: tuple[int, int] | None,
             search: Search | None = None) -> _Outcome:
    """`_solve`'s search on the whole scenario, up to the explanation; `search` in place of
    the heuristic search `_search` (compare's budget curve serves a budget from routes
    found before, `curve`)."""
    started = time.monotonic()
    interrupted = interrupted or Interrupted()
    compiled_all = _compile_all(scenario, refine, layout)
    viable = [c for c in compiled_all if c.problem.budget is None or c.problem.budget >= 0]
    warm = _warm_candidate(viable, warm_start) if warm_start is not None else None
    obvious = None if warm is not None else quick_infeasibility(compiled_all)
    if obvious:
        raise InfeasibleError(obvious)
    cores = {c: evaluate(c.problem, routes) for c in viable if (routes := core(c).routes) is not None}
    if warm is None and not cores and all(core(c).status == "infeasible" for c in compiled_all):
        raise InfeasibleError(core_reason(compiled_all))
    exact = _exact(viable) if not interrupted.set else None
    if exact is not None:
        best = min(exact + ([warm] if warm is not None else []), key=_Candidate.rank, default=None)
        if best is None:
            raise InfeasibleError(core_reason(compiled_all, EXACT_WORK))
        solution = replace(best.solution, stopped_by="work", seconds=time.monotonic() - started)
        chosen = _complete(_Candidate(best.compiled, solution), scenario)
        return _weigh(compiled_all, chosen, exact + ([warm] if warm is not None else []), scenario, optimal=True)
    best, found = (search or _search)(scenario, viable, cores, warm, progress, interrupted, started)
    if best is None:  # so some layout's core is undecided: the others were proven infeasible above
        raise UndecidedError(f"no plan was found within {time.monotonic() - started:.1f} s, and it is "
                             + core_reason(compiled_all))
    if interrupted.set:  # whichever phase found the best plan, the search as a whole was cut short
        best = _Candidate(best.compiled, replace(best.solution, stopped_by="interrupt"))
    return _weigh(compiled_all, _complete(best, scenario), found, scenario)


# -- a large scenario: the search on a pool, the promises over every customer -----------------


def _solve_pooled(scenario: Scenario, counted: pool.Census, progress: ProgressCallback | None,
                  interrupted: Interrupted | None, warm_start: Outline | None, refine: Refine | None,
                  layout: tuple[int, int] | None) -> Plan:
    """`_solve` on a scenario too large to search whole (pool.py): the search sees the
    pool, under the time limit less what the checks over every customer will take
    (`pool.reserve`); then every customer outside it that fits into the plan with every
    visit kept is added, slice by slice, so `lower_value` stays true of all of them, and
    every customer left out is explained on a slice that holds the plan (`_explain_outline`)."""
    started = time.monotonic()
    keep = _outline_names(warm_start) if warm_start is not None else set()
    searched = pool.pool(scenario, counted, keep)
    searched = searched.with_time_limit(scenario.solver.time_limit_seconds - pool.reserve(scenario, counted))
    outcome = _planned(searched, progress, interrupted, warm_start, refine, layout)
    chosen = outcome.chosen
    outline = decode(chosen.compiled, chosen.solution, ()).outline
    inside = {c.name for c in searched.customers}
    outside = [i for i, c in enumerate(scenario.customers) if c.name not in inside and counted.reachable[i]]
    outline = _completed_outside(scenario, counted, outline, outside, refine)
    reordered = {searched.customers[g].name for g in chosen.reordered}
    solution = replace(chosen.solution, seconds=time.monotonic() - started)
    plan = _explain_outline(scenario, counted, outline, solution, reordered, refine, layout)
    plan = replace(plan, optimal=outcome.optimal)
    return plan if outcome.weighed is None else weighed(plan, outcome.weighed)


def _outline_names(outline: Outline) -> set[str]:
    """The customers a plan's outline visits."""
    return {name for _, stops in outline.days for kind, name in stops if kind == "visit"}


def _plan_indices(scenario: Scenario, outline: Outline) -> set[int]:
    """The plan's customers and the must-visits, by index: what every slice holds."""
    names = _outline_names(outline)
    return {i for i, c in enumerate(scenario.customers) if c.name in names or c.must_visit}


def _layout_of(outline: Outline) -> tuple[int, int]:
    return outline.extension_before, outline.extension_after


def _on_slice(part: Scenario, outline: Outline, refine: Refine | None,
              only: tuple[int, int] | None) -> tuple[list[CompiledProblem], CompiledProblem, Routes]:
    """A slice's compiled layouts (those `only` allows), the plan's own among them, and
    the plan as its routes (re-checked: the slice holds every customer the plan visits)."""
    compiled_all = _compile_all(part, refine, only)
    own = next(c for c in compiled_all if (c.layout.before, c.layout.after) == _layout_of(outline))
    routes = encode(own, outline)
    if routes is None or evaluate(own.problem, routes) is None:
        raise AssertionError("the plan does not keep the rules on a slice of its scenario")
    return compiled_all, own, routes


def _completed_outside(scenario: Scenario, counted: pool.Census, outline: Outline, outside: list[int],
                       refine: Refine | None) -> Outline:
    """The plan with every customer of `outside` added that fits with every visit kept
    (`_insert_all` on each slice; a customer that did not fit finds no room later, when
    the plan has more visits)."""
    for part in pool.slices(scenario, counted, _plan_indices(scenario, outline), outside):
        _, own, routes = _on_slice(part, outline, refine, _layout_of(outline))
        grown = _insert_all(own.problem, routes)
        if grown != routes:
            solution = evaluate(own.problem, grown)
            if solution is None:
                raise AssertionError("an insertion broke a rule")
            outline = decode(own, solution, ()).outline
    return outline


def _explain_outline(scenario: Scenario, counted: pool.Census, outline: Outline, solution: RoutingSolution,
                     reordered: set[str], refine: Refine | None, layout: tuple[int, int] | None) -> Plan:
    """The plan of a large scenario decoded, every customer it leaves out with the reason
    `diagnose` gives on a slice holding the plan, the must-visits and that customer (each
    claim reads no leg beyond those); `solution` gives what stopped the search and when."""
    base = _plan_indices(scenario, outline)
    others = [i for i in range(len(scenario.customers)) if i not in base]
    unvisited: list[Unvisited] = []
    for part in pool.slices(scenario, counted, base, others):
        compiled_all, own, routes = _on_slice(part, outline, refine, layout)
        mine = {i for i, c in enumerate(part.customers) if c.name in reordered}
        names = {c.name for i, c in enumerate(scenario.customers) if i not in base}
        unvisited += [u for u in unvisited_reasons(compiled_all, own, routes, frozenset(mine)) if u.name in names]
    _, own, routes = _on_slice(pool.subset(scenario, base), outline, refine, _layout_of(outline))
    final = evaluate(own.problem, routes)
    if final is None:
        raise AssertionError("the plan does not keep the rules")
    order = {c.name: i for i, c in enumerate(scenario.customers)}
    final = replace(final, stopped_by=solution.stopped_by, seconds=solution.seconds, phases=solution.phases)
    plan = decode(own, final, tuple(sorted(unvisited, key=lambda u: order[u.name])))
    return replace(plan, candidates=len(scenario.customers), value_available=sum(c.value for c in scenario.customers))


def proven_infeasibility(scenario: Scenario) -> str | None:
    """The proven reason no plan exists, found without the heuristic search (the quick
    checks and the exhaustive commitments + must-visits check), or None: `tripopt check`
    says it before anyone waits for a plan."""
    if scenario.events:
        return events.proven_infeasibility(scenario, PLANNING)
    return _proven_infeasibility(scenario)


def _proven_infeasibility(scenario: Scenario) -> str | None:
    compiled_all = _compile_all(_searched(scenario))
    obvious = quick_infeasibility(compiled_all)
    if obvious:
        return obvious
    if all(core(c).status == "infeasible" for c in compiled_all):
        return core_reason(compiled_all)
    return None


# The heuristic search step: (scenario, viable layouts, their cores, the warm start, progress,
# interrupt, start time) -> (the best plan, every plan found)
Search = Callable[[Scenario, list[CompiledProblem], dict[CompiledProblem, RoutingSolution | None], _Candidate | None,
                   ProgressCallback | None, Interrupted, float], tuple[_Candidate | None, list[_Candidate]]]


def _search(scenario: Scenario, viable: list[CompiledProblem], cores: dict[CompiledProblem, RoutingSolution | None],
            warm: _Candidate | None, progress: ProgressCallback | None, interrupted: Interrupted,
            started: float) -> tuple[_Candidate | None, list[_Candidate]]:
    """The heuristic search over the layouts: scouting, then the best layout's search. The
    best plan, and every plan found (of any layout: `_weigh` looks for the best with no
    extension day among them)."""
    limit = scenario.solver.time_limit_seconds
    nodes = max(c.problem.size for c in viable)
    work = work_budget(limit, scenario.solver.work_limit, nodes)
    best_value = [0.0]

    def report(elapsed: float, prize: int) -> None:
        best_value[0] = max(best_value[0], prize / VALUE_SCALE)
        if progress is not None:
            progress(time.monotonic() - started, best_value[0])

    scout_share = SCOUT_SHARE if len(viable) > 1 else 0.0
    found = [warm] if warm is not None else []
    found += [_Candidate(c, solution) for c, solution in cores.items() if solution is not None]
    for compiled in viable:
        if interrupted.set or scout_share == 0.0:
            break
        seconds = limit * scout_share / len(viable)
        fallback = cores.get(compiled)
        solution = scout(compiled.problem, scout_iterations(work, len(viable), compiled.problem.size), seconds,
                         report, interrupted, fallback=fallback.routes if fallback is not None else None)
        if solution.status != "feasible":  # the greedy construction missed a mandatory visit
            solution = solve_routing(compiled.problem, phase_settings(seconds, None, "GREEDY_DESCENT"), None, report,
                                     interrupted)
        if solution.status == "feasible":
            found.append(_Candidate(compiled, solution))
    best = min(found, key=_Candidate.rank, default=None)
    focus = [best.compiled] if best is not None else viable
    for compiled in focus:
        if interrupted.set:
            break
        remaining = max(limit - (time.monotonic() - started), 0.05) / len(focus)
        initial = best.solution.routes if best is not None else None
        solution = solve_routing(compiled.problem, phase_settings(remaining, work / len(focus)), initial, report,
                                 interrupted)
        if solution.status == "feasible":
            candidate = _Candidate(compiled, solution)
            found.append(candidate)
            if best is None or candidate.rank() <= best.rank():
                best = candidate
    return best, found


def _exact(viable: list[CompiledProblem]) -> list[_Candidate] | None:
    """The optimal plan of every layout by exhaustive search, when the problem is small
    enough to decide within EXACT_WORK schedule checks per layout; None if any layout was
    left undecided (the heuristic search then decides)."""
    if not viable or len(viable[0].scenario.customers) > EXACT_MAX_CUSTOMERS:
        return None
    found = []
    for compiled in viable:
        decision = BranchAndBound(compiled.problem, base_routes(compiled), compiled.customer_groups,
                                  EXACT_WORK).run()
        if decision.status == "undecided":
            return None
        if decision.routes is not None:
            solution = evaluate(compiled.problem, decision.routes)
            if solution is None:
                raise AssertionError("the exhaustive search returned routes that break a rule")
            found.append(_Candidate(compiled, solution))
    return found


def _complete(best: _Candidate, scenario: Scenario) -> _Candidate:
    """The plan with every optional value-0 visit left out (it adds cost or driving, and
    no value), then with every positive-value customer added that fits into it, the most
    valuable first: at its cheapest feasible position with the visits kept in order, or,
    on plans small enough to decide it, by re-ordering every visit (`_fits_reordered`).
    A customer left out after this cannot be added to the plan keeping its visits."""
    p = best.compiled.problem
    routes = _stripped(best)
    proven: set[int] = set()
    tried: set[int] = set()  # proven, or undecided: a plan with more visits leaves no more room
    work_left = resequence_work(scenario.solver.time_limit_seconds)
    while work_left > 0:
        routes = _insert_all(p, routes)
        served = {p.group[n] for r in routes for n in r}
        if len(served) + 1 > RESEQUENCE_MAX_VISITS:
            break
        waiting = sorted({p.group[n] for n in p.visit_nodes if p.servable(n) and p.group[n] not in served
                          and p.prize[n] > 0 and p.group[n] in best.compiled.customer_groups} - tried,
                         key=lambda g: (-p.prize[p.alternatives[g][0]], g))
        for group in waiting:
            if work_left <= 0:
                break
            decision = _fits_reordered(best.compiled, served, group, min(RESEQUENCE_WORK, work_left))
            work_left -= decision.work
            if decision.routes is not None:
                routes = decision.routes
                break
            tried.add(group)
            if decision.status == "infeasible":
                proven.add(group)
        else:
            break
    solution = evaluate(p, routes) if routes != best.solution.routes else best.solution
    if solution is None:
        raise AssertionError("an exact insertion broke a rule")
    return _Candidate(best.compiled, replace(solution, stopped_by=best.solution.stopped_by,
                                             seconds=best.solution.seconds, phases=best.solution.phases),
                      frozenset(proven))


def _stripped(candidate: _Candidate) -> tuple[tuple[int, ...], ...]:
    """The routes without their optional value-0 visits (they add cost or driving, and no
    value), unless leaving them out breaks a rule (a matrix without the triangle inequality)."""
    p = candidate.compiled.problem
    routes = tuple(tuple(n for n in r if p.prize[n] > 0 or p.mandatory[n]
                         or candidate.compiled.node_kind[n] != "customer") for r in candidate.solution.routes)
    return routes if evaluate(p, routes) is not None else candidate.solution.routes


def _tidied(candidate: _Candidate, like: _Candidate) -> _Candidate:
    """`_complete`'s quick part alone: value-0 visits out, every customer that fits with the
    visits kept in order in (no share of the time limit for re-ordering); what stopped the
    search and when as for `like`, the plan chosen. For the plan with no extension day
    that the chosen plan is weighed against."""
    p = candidate.compiled.problem
    solution = evaluate(p, _insert_all(p, _stripped(candidate)))
    if solution is None:
        raise AssertionError("an insertion broke a rule")
    return _Candidate(candidate.compiled, replace(solution, stopped_by=like.solution.stopped_by,
                                                  seconds=like.solution.seconds))


def _weigh(compiled_all: list[CompiledProblem], chosen: _Candidate, found: list[_Candidate], scenario: Scenario,
           optimal: bool = False) -> _Outcome:
    """The chosen plan; when the scenario may be extended (more than one layout here),
    with the best plan with no extension day among those `found` (tidied) to state.
    Should that one beat the chosen plan, it is the plan: the extension days would buy nothing."""
    if len(compiled_all) == 1:
        return _Outcome(compiled_all, chosen, None, optimal)
    plain = min((c for c in found if not c.extended), key=_Candidate.rank, default=None)
    if not chosen.extended or plain is None:
        return _Outcome(compiled_all, chosen, (), optimal)
    plain = _tidied(plain, chosen)
    if plain.rank() < chosen.rank():
        return _Outcome(compiled_all, _complete(plain, scenario), (), optimal)
    return _Outcome(compiled_all, chosen, (decode(plain.compiled, plain.solution, ()).totals,), optimal)


def _explained(outcome: _Outcome) -> Plan:
    """The chosen plan decoded, every unvisited customer with its reason, and what it is weighed against."""
    plan = _decode(outcome.compiled_all, outcome.chosen, outcome.optimal)
    return plan if outcome.weighed is None else weighed(plan, outcome.weighed)


def _insert_all(p: RoutingProblem, routes: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """Insert unserved positive-value visits while any fits (visits kept in order, the
    budget kept), the most valuable first, each where it costs least."""
    while True:
        served = {p.group[n] for r in routes for n in r}
        nodes = [n for n in p.visit_nodes if p.servable(n) and p.group[n] not in served and p.prize[n] > 0]
        spent = tour_cost(p, routes)
        options = [o for found in insertion_options(p, routes, nodes) for o in found
                   if p.budget is None or spent + o.added_cost <= p.budget]
        if not options:
            return routes
        routes = insert(routes, min(options, key=lambda o: (-p.prize[o.node], o.added_cost, o.added_drive, o.node)))


def _fits_reordered(compiled: CompiledProblem, served: set[int], group: int, work: int) -> Decision:
    """Can `group` join the plan's visits (all of them kept, any day, any order)?
    Decided exhaustively within `work` schedule checks."""
    groups = sorted(g for g in served if g in compiled.customer_groups)
    return BranchAndBound(compiled.problem, base_routes(compiled), [*groups, group], work, first=True,
                          required=[*groups, group]).run()


def adopt(scenario: Scenario, outline: Outline) -> Plan:
    """A plan made for another version of the scenario (a smaller budget, say), re-checked
    and re-explained under this one without searching; InfeasibleError if it breaks a rule."""
    if scenario.events:
        return events.adopt(scenario, outline, PLANNING)
    return _adopt(scenario, outline)


def _searched(scenario: Scenario) -> Scenario:
    """The scenario as a search sees it: its pool when it is large. (What is proven without
    a search reads only the commitments, the budget and the must-visits, which the pool holds.)"""
    counted = pool.census(scenario)
    return pool.pool(scenario, counted) if pool.pooled(scenario, counted) else scenario


def _adopt(scenario: Scenario, outline: Outline) -> Plan:
    counted = pool.census(scenario)
    if pool.pooled(scenario, counted):
        part = pool.subset(scenario, _plan_indices(scenario, outline))
        adopted = _warm_candidate(_compile_all(part), outline)
        if adopted is None:
            raise InfeasibleError("the plan does not keep this scenario's rules")
        return _explain_outline(scenario, counted, outline, adopted.solution, set(), None, None)
    compiled_all = _compile_all(scenario)
    candidate = _warm_candidate(compiled_all, outline)
    if candidate is None:
        raise InfeasibleError("the plan does not keep this scenario's rules")
    return _decode(compiled_all, candidate)


def _compile_all(scenario: Scenario, refine: Refine | None = None,
                 only: tuple[int, int] | None = None) -> list[CompiledProblem]:
    """One compiled problem per extension layout (or the one asked for), cheapest first."""
    chosen = [layout for layout in layouts(scenario) if only is None or (layout.before, layout.after) == only]
    if not chosen and only is not None:
        raise InputError(Problem("trip.extend", f"the scenario has no layout with {only[0]} day(s) before and "
                                                f"{only[1]} after"))
    compiled = [compile_layout(scenario, layout) for layout in chosen]
    return [refine(c) for c in compiled] if refine is not None else compiled


def _warm_candidate(compiled_all: list[CompiledProblem], outline: Outline) -> _Candidate | None:
    """The plan as a candidate of the layout it was made for, if it is feasible there."""
    for compiled in compiled_all:
        routes = encode(compiled, outline)
        solution = evaluate(compiled.problem, routes) if routes is not None else None
        if solution is not None:
            return _Candidate(compiled, solution)
    return None


def _decode(compiled_all: list[CompiledProblem], best: _Candidate, optimal: bool = False) -> Plan:
    """The chosen solution as a Plan, every unvisited customer with its reason."""
    reasons = unvisited_reasons(compiled_all, best.compiled, best.solution.routes, best.reordered)
    return replace(decode(best.compiled, best.solution, reasons), optimal=optimal)


def glance(scenario: Scenario, interrupted: Interrupted | None = None, refine: Refine | None = None,
           layout: tuple[int, int] | None = None) -> Plan | None:
    """A quick plan of a scenario without events, with no proofs and no reasons (its
    `unvisited` is empty): every layout scouted by ruin and recreate with the scenario's
    whole work budget shared out (deterministic), the best decoded. None when no scout
    found a plan (which proves nothing). events.py compares choices of events with it."""
    interrupted = interrupted or Interrupted()
    scenario = _searched(scenario)
    viable = [c for c in _compile_all(scenario, refine, layout) if c.problem.budget is None or c.problem.budget >= 0]
    if not viable:
        return None
    limit = scenario.solver.time_limit_seconds
    work = work_budget(limit, scenario.solver.work_limit, max(c.problem.size for c in viable))
    found = []
    for compiled in viable:
        if interrupted.set:
            break
        size = compiled.problem.size
        iterations = max(int(work / len(viable) * lns_iterations_per_solution(size)), SCOUT_MIN_ITERATIONS)
        solution = scout(compiled.problem, iterations, limit / len(viable), None, interrupted)
        if solution.status == "feasible":
            found.append(_Candidate(compiled, solution))
    best = min(found, key=_Candidate.rank, default=None)
    return None if best is None else decode(best.compiled, best.solution, ())


PLANNING = events.Planning(solve=_solve, adopt=_adopt, proof=_proven_infeasibility, glance=glance,
                           exact_customers=EXACT_MAX_CUSTOMERS)
