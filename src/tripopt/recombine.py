"""Route recombination by CP-SAT set packing (Hu & Lim 2014's recombination for the TOPTW).

Ruin and recreate (`lns`) collects the feasible routes it meets as columns; a set
packing picks one per tour, each visit at most once, under the budget, for the most
prize. It joins good days of different solutions, a move no ruin of a few visits
makes (figures in benchmarks/README.md). CP-SAT runs on one worker under a
deterministic time limit (its own work units), so that runs repeat.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model_helper as sat  # not sat.python.cp_model: it imports pandas

from .lns import Column, Recombine
from .problem import RoutingProblem

RECOMBINE_WORK = 0.5  # CP-SAT deterministic time per recombination


def recombiner(problem: RoutingProblem, work: float = RECOMBINE_WORK) -> Recombine:
    """Route recombination for ruin and recreate (see `lns.Column`): one column per tour,
    each visit at most once (mandatory ones exactly once if the pool serves them), spend
    within the budget, the most prize; the hint is the search's best solution, so the
    answer is never worse. None when CP-SAT finds nothing feasible within `work` (its
    deterministic time; the budget curve packs with less, `curve`)."""
    mandatory = {problem.group[g[0]] for g in problem.alternatives if problem.mandatory[g[0]]}
    tours = len(problem.tours)

    def recombine(columns: Sequence[Column], hint: Sequence[int]) -> list[int] | None:
        model = sat.CpModelProto()
        for _ in columns:
            model.variables.add().domain.extend([0, 1])
        by_tour: list[list[int]] = [[] for _ in range(tours)]
        by_group: dict[int, list[int]] = {}
        for i, column in enumerate(columns):
            by_tour[column.tour].append(i)
            for g in column.groups:
                by_group.setdefault(g, []).append(i)
        for members in by_tour:
            model.constraints.add().exactly_one.literals.extend(members)
        for g, members in by_group.items():
            constraint = model.constraints.add()
            (constraint.exactly_one if g in mandatory else constraint.at_most_one).literals.extend(members)
        if problem.budget is not None:
            linear = model.constraints.add().linear
            linear.vars.extend(range(len(columns)))
            linear.coeffs.extend(c.spend for c in columns)
            linear.domain.extend([0, problem.budget])
        model.objective.vars.extend(range(len(columns)))
        model.objective.coeffs.extend(-c.prize for c in columns)  # CP-SAT minimises
        model.solution_hint.vars.extend(hint)
        model.solution_hint.values.extend([1] * len(hint))
        params = sat.SatParameters()
        params.num_workers = 1
        params.max_deterministic_time = work
        params.cp_model_presolve = False  # presolve and probing took longer than the search
        params.cp_model_probing_level = 0  # itself (benchmarks/README.md)
        params.catch_sigint_signal = False  # its handler would replace the CLI's (Ctrl-C killed the run)
        solver = sat.SolveWrapper()
        solver.set_parameters(params)
        response = solver.solve(model)
        if response.status not in (sat.CpSolverStatus.OPTIMAL, sat.CpSolverStatus.FEASIBLE):
            return None
        chosen = [i for i, value in enumerate(response.solution) if value]
        return sorted(chosen, key=lambda i: columns[i].tour)

    return recombine
