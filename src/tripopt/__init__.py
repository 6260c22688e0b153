"""tripopt: plan the customer visits around a trade show, conference or user group meeting.

`solve` is imported on first use: it is the one entry point that needs OR-Tools, and
reading, checking and reporting on scenarios and plans should not pay for loading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InfeasibleError, InputError, Problem, TripoptError
from .loader import Inspection, inspect_scenario, load_scenario
from .model import Commitment, Customer, Place, Scenario, Trip
from .plan import Plan
from .report import plan_dict

if TYPE_CHECKING:
    from .planner import solve

__version__ = "0.1.0"

__all__ = [
    "Commitment",
    "Customer",
    "InfeasibleError",
    "InputError",
    "Inspection",
    "Place",
    "Plan",
    "Problem",
    "Scenario",
    "Trip",
    "TripoptError",
    "inspect_scenario",
    "load_scenario",
    "plan_dict",
    "solve",
]


def __getattr__(name: str) -> Any:
    if name == "solve":
        from .planner import solve

        return solve
    raise AttributeError(f"module 'tripopt' has no attribute {name!r}")
