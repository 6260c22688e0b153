"""tripopt: plan the customer visits around a trade show, conference or user group meeting."""

from .errors import InfeasibleError, InputError, Problem, TripoptError
from .loader import Inspection, inspect_scenario, load_scenario
from .model import Commitment, Customer, Place, Scenario, Trip

__version__ = "0.1.0"

__all__ = [
    "Commitment", "Customer", "InfeasibleError", "InputError", "Inspection", "Place", "Problem",
    "Scenario", "Trip", "TripoptError", "inspect_scenario", "load_scenario",
]
