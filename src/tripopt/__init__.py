"""tripopt: plan the customer visits around a trade show, conference or user group meeting."""

from .errors import InfeasibleError, InputError, Problem, TripoptError
from .loader import Inspection, inspect_scenario, load_scenario
from .model import Commitment, Customer, Place, Scenario, Trip
from .plan import Plan
from .planner import solve
from .report import plan_dict

__version__ = "0.1.0"

__all__ = [
    "Commitment", "Customer", "InfeasibleError", "InputError", "Inspection", "Place", "Problem",
    "Plan", "Scenario", "Trip", "TripoptError", "inspect_scenario", "load_scenario", "plan_dict", "solve",
]
