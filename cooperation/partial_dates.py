"""Partial dates: as precise as the source, no more.

A date is kept three ways: as written ("October 2012", "in the coming year"), normalised as EDTF
(``2012-10``, ``2013?``, ``[2012-10..]``) and as earliest/latest bounds that indexes and overlap filters use.
The ``edtf`` package parses and validates EDTF and reads common English phrasings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass

from edtf import parse_edtf, text_to_edtf

EDTF_MAX_LENGTH = 100
EXAMPLES = '"October 2012", "2012-10", "2013", "c. 2013" or "after October 2012"'
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_EDTF_YEAR = re.compile(r"(?<![\dX])[\dX]{4}(?![\dX])")


class PartialDateError(ValueError):
    """The text or EDTF value cannot be read as a date; the message says what to write instead."""


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
    if earliest and latest and earliest > latest:
        raise PartialDateError(f"{normalised!r} ends before it starts.")
    return PartialDate(normalised, earliest, latest)


def from_text(text: str) -> PartialDate:
    """Read a date as written: EDTF itself or an English phrasing. Raises PartialDateError."""
    text = text.strip()
    if not text:
        return UNKNOWN
    if "\x00" in text:
        raise PartialDateError("The date contains a NUL character.")
    try:
        return from_edtf(text)
    except PartialDateError:
        pass
    try:
        edtf = text_to_edtf(text)
    except Exception:  # the natural-language reader fails in several ways on odd input
        edtf = None
    if edtf and edtf.endswith("/"):  # "after October 2012": some date on or after it
        edtf = f"[{edtf[:-1]}..]"
    elif edtf and edtf.startswith("/"):  # "before 2013"
        edtf = f"[..{edtf[1:]}]"
    years_written = set(_YEAR.findall(text))
    if not edtf or edtf.startswith("XXXX") or len(years_written) > len(set(_EDTF_YEAR.findall(edtf))):
        # Nothing read, or the reader dropped a year it was given ("2012 or 2013" -> "2012").
        raise PartialDateError(f"Cannot read {text!r} as a date. Write it like {EXAMPLES}, or give the EDTF value.")
    return from_edtf(edtf)
