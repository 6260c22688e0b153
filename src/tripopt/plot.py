"""Value against budget as a PNG (optional: needs the `plot` extra, matplotlib)."""

from __future__ import annotations

import io

from .comparison import Comparison
from .errors import InputError, Problem
from .report import printable

MISSING = "plotting needs matplotlib, an optional extra: pip install 'tripopt[plot]'"


def require_matplotlib(option: str = "--plot") -> None:
    """Fail before a long sweep, not after it, when the extra is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(Problem(option, MISSING)) from None


def _label(value: object) -> str:
    """Data as a chart label: control characters escaped, and `$` shown, not read as the
    start of matplotlib's math text."""
    return printable(value).replace("$", r"\$")


def comparison_png(comparison: Comparison) -> bytes:
    """A step chart: the value each budget buys, breakpoints labelled with their budget."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    feasible = [(r, r.plan) for r in comparison.rows if r.plan is not None]
    figure = Figure(figsize=(8, 4.5), dpi=120)
    axes = figure.add_subplot()
    if feasible:
        axes.step([r.budget for r, _ in feasible], [r.value for r, _ in feasible], where="post", color="#1f77b4")
        breakpoints = set(comparison.breakpoints)
        marks = [(r, plan) for r, plan in feasible if r.budget in breakpoints]
        axes.scatter([r.budget for r, _ in marks], [r.value for r, _ in marks], color="#d62728", zorder=3)
        for r, plan in marks:
            axes.annotate(f"{r.budget:,.0f}: {plan.visited} visits", (r.budget, r.value),
                          textcoords="offset points", xytext=(4, -12), fontsize=7)
    infeasible = [r.budget for r in comparison.rows if r.plan is None]
    if infeasible:
        axes.axvspan(min(infeasible), max(infeasible), color="#cccccc", alpha=0.5, label="infeasible")
        axes.legend(loc="lower right")
    axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.set_xlabel(f"budget ({_label(comparison.currency)})")
    axes.set_ylabel("value of the visits")
    axes.set_title(_label(comparison.scenario))
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
