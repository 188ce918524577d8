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


@functools.lru_cache(maxsize=4096)  # the EDTF grammar takes a tenth of a second; imports repeat their dates
def from_edtf(value: str) -> PartialDate:
    """Validate an EDTF string and compute its bounds. Raises PartialDateError."""
    value = value.strip()
    if not value:
        return UNKNOWN
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
