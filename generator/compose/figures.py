"""The money figures of a project, computed once for every document.

Contract: :func:`derive_figures` turns a project's content into :class:`Figures`: the net yearly
saving (savings minus running costs), the payback time, the year the investment is made, the
first full year of savings and the year the investment is paid back, and the chart series
(the investment in its year, then the cumulative net savings from the first full year).
:func:`programme_totals` sums them over projects. The deck, the handout and the programme deck
all read these, so they show the same numbers (tests/compose/test_figures.py asserts it).

Years: ``costs.investment_year`` and ``costs.savings_from`` when the content gives them; else
the investment falls in the year of the timeline's last milestone (the end of the roll-out as
planned), or the project's date, and savings count from the year after it: a year in which the
roll-out is still going on is never counted as a full year of savings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from generator.compose.formats import Formatter
from generator.content.model import ProjectFile

# A chart shows at least this many years of savings, and at most this many.
MIN_SAVING_YEARS = 3
MAX_SAVING_YEARS = 10

# Words that make a timeline milestone a decision (the next one is in the programme overview).
DECISION_WORDS = re.compile(
    r"besluit|besluiten|raadsvoorstel|voorstel|akkoord|decision|decide|vote|approv|proposal",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figures:
    """Numbers derived from the costs, the same in every document. Years are calendar years;
    ``years``, ``investment_series`` and ``cumulative`` are the chart's categories and series
    (None where a series has no bar in that year)."""

    currency: str = "EUR"
    investment: float | None = None
    yearly_costs: float | None = None
    savings_yearly: float | None = None
    net_yearly: float | None = None
    payback_years: float | None = None
    investment_year: int | None = None
    first_full_year: int | None = None
    break_even_year: int | None = None
    years: tuple[str, ...] = ()
    investment_series: tuple[float | None, ...] = ()
    cumulative: tuple[float | None, ...] = ()

    @property
    def chart(self) -> bool:
        """Whether there is an investment and a saving to chart."""
        return bool(self.years) and bool(self.investment)


def _year(text: str | None) -> int | None:
    match = re.search(r"(19|20)\d\d", text or "")
    return int(match.group()) if match else None


def derive_figures(content: ProjectFile) -> Figures:
    """The project's money figures (see the module's contract for the years)."""
    costs = content.costs
    if costs is None:
        return Figures()
    base = Figures(
        currency=costs.currency,
        investment=costs.investment,
        yearly_costs=costs.yearly,
        savings_yearly=costs.savings_yearly,
    )
    if costs.savings_yearly is None:
        return base
    net = costs.savings_yearly - (costs.yearly or 0)
    investment_year = costs.investment_year or _roll_out_year(content)
    first = costs.savings_from or investment_year + 1
    payback = (costs.investment / net) if costs.investment and net > 0 else None
    # Paid back in the year in which the cumulative net savings reach the investment.
    break_even = first + math.ceil(payback - 1e-9) - 1 if payback is not None else None
    if not costs.investment:
        return replace(base, net_yearly=net, first_full_year=first)
    # Up to the break-even year (the marked bar is then the last or next to last, its label
    # clear of taller bars), showing at least MIN_SAVING_YEARS years of savings.
    last = (
        max(first + MIN_SAVING_YEARS - 1, break_even)
        if break_even is not None
        else first + MAX_SAVING_YEARS - 1
    )
    last = min(last, first + MAX_SAVING_YEARS - 1)
    start = min(investment_year, first)
    years = tuple(range(start, last + 1))
    return Figures(
        currency=costs.currency,
        investment=costs.investment,
        yearly_costs=costs.yearly,
        savings_yearly=costs.savings_yearly,
        net_yearly=net,
        payback_years=payback,
        investment_year=investment_year,
        first_full_year=first,
        break_even_year=break_even if break_even is not None and break_even <= last else None,
        years=tuple(str(y) for y in years),
        investment_series=tuple(costs.investment if y == investment_year else None for y in years),
        cumulative=tuple(round(net * (y - first + 1), 2) if y >= first else None for y in years),
    )


def _roll_out_year(content: ProjectFile) -> int:
    """The year the investment is made when the content does not say: the timeline's last
    milestone (the end of the roll-out as planned), else the project's date, else its first
    milestone, else this year."""
    years = [y for y in (_year(m.when) for m in content.timeline) if y is not None]
    if years:
        return max(years)
    if content.project.date:
        return content.project.date.year
    return dt.date.today().year


def next_decision(content: ProjectFile) -> tuple[str, str] | None:
    """(when, what) of the first milestone not yet done that is a decision, else of the first
    milestone not yet done; None when every milestone is done."""
    open_ = [m for m in content.timeline if not m.done]
    chosen = next((m for m in open_ if DECISION_WORDS.search(m.milestone)), None)
    chosen = chosen or (open_[0] if open_ else None)
    return (chosen.when, chosen.milestone) if chosen else None


@dataclass(frozen=True)
class Totals:
    """Sums over several projects (one currency: projects in another are left out, counted)."""

    currency: str
    investment: float
    savings_yearly: float
    net_yearly: float
    payback_years: float | None
    left_out: int = 0


def programme_totals(figures: Iterable[Figures]) -> Totals:
    """The investment, yearly savings and net yearly savings summed over projects in the first
    currency, and the payback of the whole: total investment over total net yearly saving."""
    items = list(figures)
    currency = next((f.currency for f in items if f.investment or f.savings_yearly), "EUR")
    same = [f for f in items if f.currency == currency]
    investment = sum(f.investment or 0 for f in same)
    savings = sum(f.savings_yearly or 0 for f in same)
    net = sum(f.net_yearly or 0 for f in same)
    payback = investment / net if investment and net > 0 else None
    return Totals(currency, investment, savings, net, payback, len(items) - len(same))


def figure_texts(figures: Figures, fmt: Formatter, t: dict[str, Any]) -> dict[str, str]:
    """The figures as every document writes them (labels ``t`` and formats ``fmt`` of one
    language): ``investment``, ``yearly_costs``, ``savings_yearly``, ``net_yearly`` (money),
    ``payback_years`` ("1,8 jaar"), ``break_even`` ("2030") and ``payback`` ("in 2030 (1,8
    jaar)"); empty where there is no such figure."""
    c = figures.currency
    years = f"{fmt.number(figures.payback_years, 1)} {t['years']}" if figures.payback_years else ""
    year = str(figures.break_even_year or "")
    payback = ""
    if figures.payback_years and year:
        payback = (
            str(t["paid_back_value"])
            .replace("{year}", year)
            .replace("{years}", fmt.number(figures.payback_years, 1))
        )
    return {
        "investment": fmt.money(figures.investment, c),
        "yearly_costs": fmt.money(figures.yearly_costs, c),
        "savings_yearly": fmt.money(figures.savings_yearly, c),
        "net_yearly": fmt.money(figures.net_yearly, c),
        "payback_years": years,
        "break_even": year,
        "payback": payback,
    }
