"""Partial dates as sources write them ("October 2012", "c. 2013", "2012-10-05"), with EDTF and bounds."""

from __future__ import annotations

import datetime as dt
import random

from cooperation.partial_dates import PartialDate, from_text
from synthetic.distributions import Choice

FIRST_YEAR, LAST_YEAR = 1995, 2025  # what the facts are about

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip
SEASONS = {3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn",
           11: "autumn"}  # fmt: skip

SEASON_CODES = {"spring": 21, "summer": 22, "autumn": 23}
THIRDS = ("early", "mid", "late")  # of a year: January to April, May to August, September to December
# How sources write dates, and how often: "2012-10-05", "5 October 2012", "2012-10", "October 2012", "2012",
# "c. 2012", "2012?", "autumn 2012", "after October 2012", "late 2012".
FORMS = Choice(
    [
        ("iso_day", 30), ("day", 10), ("iso_month", 10), ("month", 15), ("year", 17), ("circa", 7),
        ("uncertain", 3), ("season", 3), ("after", 2), ("early", 3),
    ]
)  # fmt: skip


def written_as(form: str, date: dt.date) -> str:
    """The date as a source writes it in one of the FORMS (a season needs a month that has one)."""
    if form == "iso_day":
        return date.isoformat()
    y, month = date.year, MONTHS[date.month - 1]
    if form == "day":
        return f"{date.day} {month} {y}"
    if form == "iso_month":
        return f"{y}-{date.month:02d}"
    if form == "month":
        return f"{month} {y}"
    if form == "circa":
        return f"c. {y}"
    if form == "uncertain":
        return f"{y}?"
    if form == "season":
        return f"{SEASONS[date.month]} {y}"
    if form == "after":
        return f"after {month} {y}"
    if form == "early":
        return f"{THIRDS[(date.month - 1) // 4]} {y}"
    return str(y)


def read_as(form: str, date: dt.date) -> PartialDate:
    """What ``partial_dates.from_text(written_as(form, date))`` gives, without its parser (which takes
    milliseconds a date). The generator checks the first date of each form against the parser, and the tests
    check every form."""
    y, mo = date.year, date.month
    month_end = dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)
    if form in ("iso_day", "day"):
        return PartialDate(date.isoformat(), date, date)
    if form in ("iso_month", "month"):
        return PartialDate(f"{y}-{mo:02d}", dt.date(y, mo, 1), month_end)
    if form == "after":
        return PartialDate(f"[{y}-{mo:02d}..]", dt.date(y, mo, 1), None)
    if form == "season":
        season = SEASONS[mo]
        first = {"spring": 3, "summer": 6, "autumn": 9}[season]
        return PartialDate(
            f"{y}-{SEASON_CODES[season]}", dt.date(y, first, 1), dt.date(y, first + 3, 1) - dt.timedelta(days=1)
        )
    if form == "early":
        first = (mo - 1) // 4 * 4 + 1
        last_day = dt.date(y + (first + 3) // 12, (first + 3) % 12 + 1, 1) - dt.timedelta(days=1)
        return PartialDate(f"{y}-{first:02d}/{y}-{first + 3:02d}", dt.date(y, first, 1), last_day)
    suffix = {"circa": "~", "uncertain": "?"}.get(form, "")
    return PartialDate(f"{y}{suffix}", dt.date(y, 1, 1), dt.date(y, 12, 31))


class PartialDates:
    """Dates as a source would write them, with their EDTF value and bounds computed as the models do."""

    def __init__(self, null: str | None) -> None:
        self.null = null
        self.unknown = ("", "", null, null)
        self._read: dict[str, tuple[str, str | None, str | None]] = {}
        self._checked: set[str] = set()
        self.first = dt.date(FIRST_YEAR, 1, 1).toordinal()
        self.days = dt.date(LAST_YEAR, 12, 31).toordinal() - self.first + 1

    def day(self, rng: random.Random) -> int:
        """A day (as an ordinal) between FIRST_YEAR and LAST_YEAR, recent years more often."""
        return self.first + int(self.days * rng.random() ** 0.6)

    def written(self, rng: random.Random, ordinal: int) -> tuple[str, str, str | None, str | None]:
        """The four column values of a date on ``ordinal`` as some source would write it."""
        if ordinal >= self.first + self.days:  # after the years the data covers: not known yet
            return self.unknown
        date = dt.date.fromordinal(ordinal)
        form = FORMS(rng)
        if form == "season" and date.month not in SEASONS:
            form = "year"
        text = written_as(form, date)
        read = self._read.get(text)
        if read is None:
            value = read_as(form, date)
            if form not in self._checked:  # the first of each form: make sure it reads as the models read it
                self._checked.add(form)
                if from_text(text) != value:
                    raise AssertionError(f"{text!r} reads as {from_text(text)}, not {value}")
            read = self._read[text] = (
                value.edtf,
                value.earliest.isoformat() if value.earliest else self.null,
                value.latest.isoformat() if value.latest else self.null,
            )
        return (text, *read)

    def maybe(self, rng: random.Random, probability: float, ordinal: int):
        return self.written(rng, ordinal) if rng.random() < probability else self.unknown


def phrase(date: tuple) -> str:
    """A date as it reads in a sentence: " on 2012-10-05", " in October 2012", " (c. 2013)", or nothing."""
    text = date[0]
    if not text:
        return ""
    if text.endswith("?") or text.startswith(("c. ", "after ")):
        return f" ({text})"
    if text[0].isdigit() and (len(text) == 10 or " " in text):
        return f" on {text}"
    return f" in {text}"
