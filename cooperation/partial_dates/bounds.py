"""EDTF values and their bounds: the earliest and latest day a date can be (None on an open side)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import time
from dataclasses import dataclass

from edtf import parse_edtf

EDTF_MAX_LENGTH = 100
# A winter (EDTF season 24) of a year is ambiguous in reporting: "winter 2012" may be its first weeks or the
# winter that starts in its December. The ``edtf`` package takes December alone, which narrows it; the bounds
# take both: 1 January of the year to the end of February of the next.
_WINTER_FIRST = re.compile(r"^\[?(?:\.\.)?(\d{4})-24(?![\d])")
_WINTER_LAST = re.compile(r"(?<![\d])(\d{4})-24[~?%]?\]?$")


class PartialDateError(ValueError):
    """The text or EDTF value cannot be read as a date; the message says what to write instead."""


class RelativeDateError(PartialDateError):
    """A relative date ("next month") with no publication date to count from."""


@dataclass(frozen=True)
class PartialDate:
    edtf: str = ""
    earliest: dt.date | None = None
    latest: dt.date | None = None

    @property
    def is_known(self) -> bool:
        return bool(self.edtf)


UNKNOWN = PartialDate()


def _bound(value: time.struct_time | float, edtf: str) -> dt.date | None:
    if isinstance(value, float):
        if math.isinf(value):  # an open end ("..")
            return None
        raise PartialDateError(f"{edtf!r} has no usable bound.")
    if not 1 <= value.tm_year <= 9999:
        raise PartialDateError(f"{edtf!r} falls outside the years 1 to 9999.")
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)


def _end_of_february(year: int) -> dt.date:
    return dt.date(year, 3, 1) - dt.timedelta(days=1)


_CALENDAR = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def calendar_date(value: str) -> PartialDate | None:
    """A plain year, month or day (``2012``, ``2012-10``, ``2012-10-05``) with its bounds, read without the EDTF
    grammar (a tenth of a second per value: most of an import's time where its dates are many); None for
    anything else (a season, an uncertain or open date, a day that does not exist), which the grammar reads."""
    match = _CALENDAR.match(value)
    if match is None or not 1 <= int(match[1]) <= 9999:
        return None
    year = int(match[1])
    try:
        if match[3]:
            day = dt.date(year, int(match[2]), int(match[3]))
            return PartialDate(value, day, day)
        if match[2]:
            month = int(match[2])
            first = dt.date(year, month, 1)
            last = dt.date(year, 12, 31) if month == 12 else dt.date(year, month + 1, 1) - dt.timedelta(days=1)
            return PartialDate(value, first, last)
    except ValueError:  # month 13 to 41 are seasons and quarters; 2013-02-30 is no day
        return None
    return PartialDate(value, dt.date(year, 1, 1), dt.date(year, 12, 31))


@functools.lru_cache(maxsize=4096)  # the EDTF grammar takes a tenth of a second; imports repeat their dates
def from_edtf(value: str) -> PartialDate:
    """Validate an EDTF string and compute its bounds. Raises PartialDateError."""
    value = value.strip()
    if not value:
        return UNKNOWN
    return calendar_date(value) or from_grammar(value)


def from_grammar(value: str) -> PartialDate:
    """``from_edtf`` by the EDTF grammar, for any value."""
    if len(value) > EDTF_MAX_LENGTH or "\x00" in value:
        raise PartialDateError(f"Not a valid EDTF date: {value[:40]!r}.")
    try:
        parsed = parse_edtf(value)
    except Exception as error:  # the parser raises several exception types for bad input
        raise PartialDateError(f"{value!r} is not a valid EDTF date (e.g. 2012-10, 2013?, [2012-10..]).") from error
    normalised = str(parsed)
    # An interval with an empty (unknown) end: EDTF makes no claim about it, so neither do the bounds.
    earliest = None if normalised.startswith("/") else _bound(parsed.lower_strict(), normalised)
    latest = None if normalised.endswith("/") else _bound(parsed.upper_strict(), normalised)
    if earliest and (winter := _WINTER_FIRST.match(normalised)):
        earliest = dt.date(int(winter[1]), 1, 1)
    if latest and (winter := _WINTER_LAST.search(normalised)) and int(winter[1]) < 9999:
        latest = _end_of_february(int(winter[1]) + 1)
    if earliest and latest and earliest > latest:
        raise PartialDateError(f"{normalised!r} ends before it starts.")
    return PartialDate(normalised, earliest, latest)
