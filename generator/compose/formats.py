"""Numbers, money and dates in the project's language, through Babel.

Contract: Dutch gives ``€ 1.250.000,50`` and ``11 maart 2027``; English gives ``€486,000`` and
``11 March 2027``. Whole amounts are shown without cents. All functions are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}
# A quarter as content writes it: 2027-Q2 (also 2027 Q2, Q2 2027).
QUARTER = re.compile(r"^\s*(?:(\d{4})\s*-?\s*[Qq]([1-4])|[Qq]([1-4])\s*-?\s*(\d{4}))\s*$")
MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


@dataclass(frozen=True)
class Formatter:
    """Formatting functions bound to one language; handed to templates as ``fmt``."""

    language: str

    @property
    def locale(self) -> str:
        """The Babel locale, e.g. nl_NL."""
        return LOCALES[self.language]

    @property
    def tag(self) -> str:
        """The BCP-47 language tag, e.g. nl-NL."""
        return LANGUAGE_TAGS[self.language]

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """1200000 -> 1.200.000 (nl) / 1,200,000 (en); at most ``digits`` decimals."""
        if value is None:
            return ""
        if float(value).is_integer():
            value = int(value)
        return format_decimal(value, format=f"#,##0.{'#' * digits}", locale=self.locale)

    def money(self, value: float | int | None, currency: str = "EUR") -> str:
        """1250000.5 -> € 1.250.000,50 (nl); 486000 -> €486,000 (en)."""
        if value is None:
            return ""
        if float(value).is_integer():
            pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
            whole = pattern.split(";")[0].replace(".00", "")
            return format_currency(
                int(value), currency, format=whole, locale=self.locale, currency_digits=False
            )
        return format_currency(value, currency, locale=self.locale)

    def symbol(self, currency: str = "EUR") -> str:
        """The currency's sign: € for EUR."""
        return str(get_currency_symbol(currency, locale=self.locale))

    def money_format(self, currency: str = "EUR") -> str:
        """The number format of a chart's money axis, whole amounts with the currency sign as
        ``money`` writes them: '"€" #,##0' (nl), '"€"#,##0' (en)."""
        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        whole = pattern.split(";")[0].replace(".00", "").replace("\xa0", " ")
        symbol = self.symbol(currency).replace('"', "")
        return whole.replace("¤", f'"{symbol}"')

    def date(self, value: dt.date | str | None, short: bool = False) -> str:
        """2027-03-11 -> 11 maart 2027 (nl) / 11 March 2027 (en); a quarter 2027-Q2 -> 2e
        kwartaal 2027 (nl; ``short``: Q2 2027) / Q2 2027 (en); a month 2027-06 -> juni 2027;
        other text is returned as written."""
        if value is None:
            return ""
        if isinstance(value, str):
            quarter = QUARTER.match(value)
            if quarter:
                year = quarter.group(1) or quarter.group(4)
                number = quarter.group(2) or quarter.group(3)
                if self.language == "nl" and not short:
                    return f"{number}e kwartaal {year}"
                return f"Q{number} {year}"
            month = MONTH.match(value)
            if month and 1 <= int(month.group(2)) <= 12:
                first = dt.date(int(month.group(1)), int(month.group(2)), 1)
                return str(format_date(first, format="MMMM y", locale=self.locale))
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return value
        else:
            parsed = value
        return str(format_date(parsed, format="d MMMM y", locale=self.locale))

    def change(self, percent: float) -> str:
        """-58.0 -> −58% and 12 -> +12%: a change from a baseline, signed, in whole percent."""
        whole = round(percent)
        sign = "+" if whole > 0 else "−" if whole < 0 else ""
        return f"{sign}{format_decimal(abs(whole), format='#,##0', locale=self.locale)}%"

    def percent(self, value: float) -> str:
        """0.5 -> 50% in the language's style."""
        return format_decimal(value * 100, format="#,##0", locale=self.locale) + "%"
