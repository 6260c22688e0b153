"""tripopt: plan the customer visits around a trade show, conference or user group meeting.

The public names are imported on first use: the CLI installs its Ctrl-C handler before
anything heavy loads (pydantic, rich, pandas, OR-Tools), and reading, checking and
reporting never pay for the solver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import InfeasibleError, InputError, Problem, TripoptError
    from .loader import Inspection, inspect_scenario, load_scenario
    from .model import Commitment, Customer, Place, Scenario, Trip
    from .plan import Plan
    from .planner import solve
    from .report import plan_dict

__version__ = "0.1.0"

_WHERE = {
    "InfeasibleError": "errors", "InputError": "errors", "Problem": "errors", "TripoptError": "errors",
    "Inspection": "loader", "inspect_scenario": "loader", "load_scenario": "loader",
    "Commitment": "model", "Customer": "model", "Place": "model", "Scenario": "model", "Trip": "model",
    "Plan": "plan", "solve": "planner", "plan_dict": "report",
}
__all__ = [
    "Commitment", "Customer", "InfeasibleError", "InputError", "Inspection", "Place", "Plan", "Problem",
    "Scenario", "Trip", "TripoptError", "inspect_scenario", "load_scenario", "plan_dict", "solve",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tripopt' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
