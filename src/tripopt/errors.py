"""The one domain exception family, mapped to exit codes by the CLI.

Every error a user can cause carries enough context (file, key path or row) to be
fixed without reading code; the CLI never shows a traceback for these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about the input: where it is, what is wrong, how bad."""

    where: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class TripoptError(Exception):
    """Base class: anything the CLI turns into a clean message and an exit code."""

    exit_code = 2


class InputError(TripoptError):
    """Bad input (exit 2): holds every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InfeasibleError(TripoptError):
    """The scenario is well-formed but no plan can satisfy it, and that is proven (exit 1)."""

    exit_code = 1
    status = "infeasible"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class UndecidedError(InfeasibleError):
    """No plan was found, and it was not proven that none exists (exit 3): the search and
    the exhaustive check both ran out of their time or work first."""

    exit_code = 3
    status = "undecided"
