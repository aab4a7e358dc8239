"""Numbers, money and dates in the project's language, through Babel.

Contract: Dutch gives ``€ 1.250.000,50`` and ``11 maart 2027``; English gives ``€486,000`` and
``11 March 2027``. Whole amounts are shown without cents. All functions are pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}


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

    def date(self, value: dt.date | str | None) -> str:
        """2027-03-11 -> 11 maart 2027 (nl) / 11 March 2027 (en); text is returned as written."""
        if value is None:
            return ""
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return value
        else:
            parsed = value
        return str(format_date(parsed, format="d MMMM y", locale=self.locale))

    def percent(self, value: float) -> str:
        """0.5 -> 50% in the language's style."""
        return format_decimal(value * 100, format="#,##0", locale=self.locale) + "%"
