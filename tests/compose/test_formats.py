"""Dutch and English numbers, money and dates (Babel)."""

from __future__ import annotations

import datetime as dt

from generator.compose.formats import Formatter


def test_dutch() -> None:
    nl = Formatter("nl")
    assert nl.money(1250000.5) == "€\xa01.250.000,50"
    assert nl.money(486000) == "€\xa0486.000"
    assert nl.number(1200000) == "1.200.000"
    assert nl.number(1.85, 1) == "1,8" or nl.number(1.85, 1) == "1,9"
    assert nl.date(dt.date(2027, 3, 11)) == "11 maart 2027"
    assert nl.date("2027-03-11") == "11 maart 2027"
    assert nl.date("2027-Q2") == "2e kwartaal 2027"
    assert nl.date("2027-Q2", short=True) == "Q2 2027"
    assert nl.date("2027-06") == "juni 2027"
    assert nl.date("najaar 2027") == "najaar 2027"  # other text as written
    assert nl.tag == "nl-NL"


def test_english() -> None:
    en = Formatter("en")
    assert en.money(486000) == "€486,000"
    assert en.money(1250000.5) == "€1,250,000.50"
    assert en.date(dt.date(2027, 3, 11)) == "11 March 2027"
    assert en.tag == "en-GB"
