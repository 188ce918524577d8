"""Reading dates as reporting writes them, into EDTF.

A phrase is read from the outside in, by small tables, each step keeping exactly what the words say:

1. EDTF itself (``2012-10``, ``2013~``, ``201X``, ``[..2013]``, ``2012-21``) is taken as it is;
2. a qualifier: approximate ("c.", "about", "around") adds ``~``, uncertain ("possibly", "reportedly", a
   trailing "?") adds ``?``, both give ``%``;
3. an open bound: "before", "by", "until", "no later than" X is ``[..X]`` (on or before: the bound errs on
   the wide side); "after", "since", "from", "no earlier than" X is ``[X..]``;
4. a range: "between X and Y", "from X to Y", "X to Y", "X–Y", "March to May 2013" is ``X/Y``;
5. a part of a year, month or decade (``SUB_RANGES``): early/mid/late are its first, middle and last third;
   beginning/start and end of X are early and late X; first/second half and quarters;
6. a relative phrase (``RELATIVE``), counted from the cited source's publication date;
7. a single date: "12 October 2012", "October 12, 2012", "October 2012", "2012", "spring 2012"
   (northern seasons), "the 2010s".

Anything else is an error that says what to write.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from cooperation.partial_dates.bounds import (
    UNKNOWN,
    PartialDate,
    PartialDateError,
    RelativeDateError,
    from_edtf,
)

EXAMPLES = '"October 2012", "2012-10", "late 2012", "c. 2013", "by 1 June 2015" or "after October 2012"'
RELATIVE_NEEDS_SOURCE = "a relative date needs a cited source with a publication date"

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
} | {"sept": 9}
SEASONS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DASHES = re.compile(r"\s*[\u2012\u2013\u2014\u2015]\s*|\s+-\s+")


@dataclass(frozen=True)
class Span:
    """What a phrase says: from ``start`` to ``end``, each an EDTF date (the same one for a single date), or
    None for an open side."""

    start: str | None
    end: str | None

    @classmethod
    def of(cls, edtf: str) -> Span:
        return cls(edtf, edtf)

    def edtf(self) -> str:
        if self.start is None and self.end is None:
            raise PartialDateError("A date open on both sides says nothing.")
        if self.start is None:
            return self._open(f"[..{self.end}]", f"../{self.end}")
        if self.end is None:
            return self._open(f"[{self.start}..]", f"{self.start}/..")
        return self.start if self.start == self.end else f"{self.start}/{self.end}"

    @staticmethod
    def _open(as_set: str, as_interval: str) -> str:
        # "[..2013]" where EDTF allows it (the form used throughout); "../2013~" for a qualified or seasonal end.
        try:
            from_edtf(as_set)
        except PartialDateError:
            return as_interval
        return as_set


# --- 2. qualifiers ----------------------------------------------------------------------------------------
APPROXIMATE = ("c.", "c", "ca.", "ca", "circa", "about", "around", "approximately", "approx.", "roughly",
               "some time around", "sometime around")  # fmt: skip
UNCERTAIN = ("possibly", "probably", "perhaps", "reportedly", "likely", "presumably", "apparently", "allegedly")
UNCERTAIN_AFTER = ("?", "(unconfirmed)", "(uncertain)", "(unverified)")
APPROXIMATE_AFTER = ("(approx.)", "(approximate)", "(approximately)", "(estimated)", "or so")


def _qualify(span: Span, mark: str) -> Span:
    def one(edtf: str | None) -> str | None:
        if edtf is None:
            return None
        present = edtf[-1] if edtf[-1] in "~?%" else ""
        marks = {present, mark} - {""}
        if present == "%":
            marks = {"%"}
        combined = "%" if marks in ({"~", "?"}, {"%"}) else mark
        return edtf.rstrip("~?%") + combined

    return Span(one(span.start), one(span.end))


# --- 3. open bounds ---------------------------------------------------------------------------------------
ON_OR_BEFORE = ("before", "by", "until", "till", "up to", "up until", "no later than", "not later than", "prior to",
                "not after")  # fmt: skip
ON_OR_AFTER = ("after", "since", "from", "starting", "starting in", "starting from", "beginning in", "no earlier than",
               "not before", "not earlier than", "later than")  # fmt: skip
ON_OR_BEFORE_AFTER = ("or earlier", "or before", "at the latest")
ON_OR_AFTER_AFTER = ("or later", "or after", "onwards", "onward", "and after", "at the earliest")

# --- 4. ranges --------------------------------------------------------------------------------------------
RANGES = [
    re.compile(r"^between (?P<a>.+?) and (?P<b>.+)$"),
    re.compile(r"^from (?P<a>.+?) (?:to|until|till|through|thru|and) (?P<b>.+)$"),
    re.compile(r"^(?P<a>.+?) (?:to|until|till|through|thru) (?P<b>.+)$"),
    re.compile(r"^(?P<a>.+?) \u2013 (?P<b>.+)$"),
    re.compile(r"^(?P<a>\d{4})-(?P<b>\d{4})$"),
]

# --- 5. parts of a year, month or decade ------------------------------------------------------------------
#: Thirds of a year (months), of a month (days; the last third ends with the month) and of a decade (years).
THIRDS = {"early": 0, "mid": 1, "late": 2}
YEAR_THIRDS = ((1, 4), (5, 8), (9, 12))
MONTH_THIRDS = ((1, 10), (11, 20), (21, 31))
DECADE_THIRDS = ((0, 3), (4, 6), (7, 9))
THIRD_WORDS = {
    "early": "early", "the beginning of": "early", "beginning of": "early",
    "the start of": "early", "start of": "early", "mid": "mid", "middle": "mid", "the middle of": "mid",
    "middle of": "mid", "late": "late", "the end of": "late", "end of": "late",
}  # fmt: skip
HALVES = {"first half": ((1, 6)), "second half": ((7, 12))}
QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "q1": 1, "q2": 2, "q3": 3, "q4": 4}

_THIRD = re.compile(
    r"^(?:the )?(?P<word>"
    + "|".join(sorted(map(re.escape, THIRD_WORDS), key=len, reverse=True))
    + r")[- ]?(?P<rest>.+)$"
)
_HALF = re.compile(r"^(?:the |in the )?(?P<half>first|second) half (?:of )?(?P<rest>.+)$")
_QUARTER = re.compile(
    r"^(?:the )?(?:(?P<ordinal>first|second|third|fourth|last) quarter (?:of )?|(?P<q>q[1-4]) )(?P<rest>.+)$"
)


def _month_span(year: int, first: int, last: int) -> Span:
    return Span(f"{year:04d}-{first:02d}", f"{year:04d}-{last:02d}")


def _third_of(word: str, inner: Span) -> Span | None:
    third = THIRDS[THIRD_WORDS[word]]
    if inner.start != inner.end or inner.start is None:
        return None
    value = inner.start
    if re.fullmatch(r"\d{4}", value):  # a year: its months
        return _month_span(int(value), *YEAR_THIRDS[third])
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):  # a month: its days
        year, month = map(int, value.split("-"))
        first, last = MONTH_THIRDS[third]
        last = min(last, calendar.monthrange(year, month)[1])
        return Span(f"{value}-{first:02d}", f"{value}-{last:02d}")
    if re.fullmatch(r"\d{3}X", value):  # a decade: its years
        first, last = DECADE_THIRDS[third]
        return Span(f"{value[:3]}{first}", f"{value[:3]}{last}")
    return None


# --- 6. relative phrases ----------------------------------------------------------------------------------
def _week(day: dt.date) -> Span:
    monday = day - dt.timedelta(days=day.weekday())
    return Span(monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month(day: dt.date) -> Span:
    return Span.of(f"{day.year:04d}-{day.month:02d}")


def _year(day: dt.date) -> Span:
    return Span.of(f"{day.year:04d}")


def _shift(unit: str, day: dt.date, count: int) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    return _add_months(day, count * (12 if unit == "year" else 1))


UNIT_OF = {"day": lambda day: Span.of(day.isoformat()), "week": _week, "month": _month, "year": _year}


def _unit_start(unit: str, day: dt.date) -> str:
    return from_edtf(UNIT_OF[unit](day).start).earliest.isoformat()


def _unit_end(unit: str, day: dt.date) -> str:
    return from_edtf(UNIT_OF[unit](day).end).latest.isoformat()


_UNIT = r"(?P<unit>day|week|month|year)"
#: Relative phrase -> what it means on the day a source was published. "next/last/this <unit>" is a calendar
#: week (Monday to Sunday), month or year; "the coming <unit>" runs from the publication day for one unit;
#: "the coming <units>" (plural, no length given) only says it is on or after the publication day.
RELATIVE: list[tuple[re.Pattern, Callable[[re.Match, dt.date], Span]]] = [
    (re.compile(r"^today$"), lambda m, day: Span.of(day.isoformat())),
    (re.compile(r"^yesterday$"), lambda m, day: Span.of((day - dt.timedelta(days=1)).isoformat())),
    (re.compile(r"^tomorrow$"), lambda m, day: Span.of((day + dt.timedelta(days=1)).isoformat())),
    (re.compile(rf"^(?:this|the current) {_UNIT}$"), lambda m, day: UNIT_OF[m["unit"]](day)),
    (
        re.compile(rf"^(?:last|the (?:previous|past|preceding|last)) {_UNIT}$"),
        lambda m, day: UNIT_OF[m["unit"]](_shift(m["unit"], day, -1)),
    ),
    (
        re.compile(rf"^(?:next|the following) {_UNIT}$"),
        lambda m, day: UNIT_OF[m["unit"]](_shift(m["unit"], day, 1)),
    ),
    (
        re.compile(rf"^(?:the coming|the next|within (?:a|one|the next)) {_UNIT}$"),
        lambda m, day: Span(day.isoformat(), _shift(m["unit"], day, 1).isoformat()),
    ),
    (re.compile(r"^the year ahead$"), lambda m, day: Span(day.isoformat(), _shift("year", day, 1).isoformat())),
    (
        re.compile(r"^the next (?:12|twelve) months$"),
        lambda m, day: Span(day.isoformat(), _add_months(day, 12).isoformat()),
    ),
    (re.compile(r"^the coming (?:days|weeks|months|years)$"), lambda m, day: Span(day.isoformat(), None)),
    (re.compile(r"^recently$"), lambda m, day: Span(None, day.isoformat())),
    (
        re.compile(rf"^(?P<count>\d{{1,3}}|{'|'.join(NUMBERS)}) {_UNIT}s? ago$"),
        lambda m, day: UNIT_OF[m["unit"]](_shift(m["unit"], day, -int(NUMBERS.get(m["count"], m["count"])))),
    ),
    (
        re.compile(r"^earlier this (?P<unit>week|month|year)$"),
        lambda m, day: Span(_unit_start(m["unit"], day), day.isoformat()),
    ),
    (
        re.compile(r"^later this (?P<unit>week|month|year)$"),
        lambda m, day: Span(day.isoformat(), _unit_end(m["unit"], day)),
    ),
]


def _relative(text: str, published: PartialDate | None, written: str) -> Span | None:
    found = next(((match, meaning) for pattern, meaning in RELATIVE if (match := pattern.match(text))), None)
    if found is None:
        return None
    match, meaning = found
    if published is None or (published.earliest is None and published.latest is None):
        raise RelativeDateError(
            f"{written!r} is relative: {RELATIVE_NEEDS_SOURCE} to count from (or give the EDTF value)."
        )
    # A publication date known to a month or a year: the date runs from what the phrase means on its first
    # day to what it means on its last (an open side stays open).
    first = meaning(match, published.earliest) if published.earliest else None
    last = meaning(match, published.latest) if published.latest else None
    if first == last:
        return first
    return Span(first.start if first else None, last.end if last else None)


# --- 7. single dates --------------------------------------------------------------------------------------
SINGLE = [
    (re.compile(rf"^{_DAY} (?:of )?{_MONTH},? {_YEAR}$"), "day"),
    (re.compile(rf"^{_MONTH} {_DAY},? {_YEAR}$"), "day"),
    (re.compile(rf"^{_MONTH},? (?:of )?{_YEAR}$"), "month"),
    (re.compile(rf"^{_YEAR}$"), "year"),
    (re.compile(rf"^(?P<season>{'|'.join(SEASONS)}) (?:of )?{_YEAR}$"), "season"),
    (re.compile(r"^(?:the )?(?P<decade>\d{3})0'?s$"), "decade"),
]
_PLAIN_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_EDTF_DATE = re.compile(r"^[\dX]{4}(?:-[\dX]{2}(?:-[\dX]{2})?)?[~?%]?$")


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _single(text: str) -> Span | None:
    if _PLAIN_DATE.match(text) and _is_iso_date((text + "-01-01")[:10]):  # no need for the EDTF grammar
        return Span.of(text)
    if _EDTF_DATE.match(text.upper()):
        try:
            return Span.of(from_edtf(text.upper()).edtf)
        except PartialDateError:
            return None
    for pattern, kind in SINGLE:
        match = pattern.match(text)
        if not match:
            continue
        if kind == "decade":
            return Span.of(f"{match['decade']}X")
        if kind == "season":
            return Span.of(f"{match['year']}-{SEASONS[match['season']]}")
        value = match["year"]
        if kind in ("month", "day"):
            value += f"-{MONTHS[match['month']]:02d}"
        if kind == "day":
            value += f"-{int(match['day']):02d}"
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return None
        return Span.of(value)
    return None


def _year_of(span: Span | None) -> int | None:
    """The year a span is, when it is exactly one year (halves and quarters are parts of a year only)."""
    if span is not None and span.start == span.end and span.start and re.fullmatch(r"\d{4}", span.start):
        return int(span.start)
    return None


# --- the reader -------------------------------------------------------------------------------------------
def _strip_prefix(text: str, words: tuple[str, ...]) -> str | None:
    for word in sorted(words, key=len, reverse=True):
        if text.startswith(word + " "):
            return text[len(word) + 1 :].strip()
        if word.endswith(".") and text.startswith(word) and len(text) > len(word):
            return text[len(word) :].strip()
    return None


def _strip_suffix(text: str, words: tuple[str, ...]) -> str | None:
    for word in sorted(words, key=len, reverse=True):
        if text.endswith(word) and len(text) > len(word):
            rest = text[: -len(word)]
            if word[0].isalpha() and not rest.endswith(" "):
                continue
            return rest.strip().rstrip(",").strip()
    return None


PREPOSITIONS = ("in", "on", "during", "at", "sometime in", "some time in", "as of")


def _read(text: str, published: PartialDate | None, written: str, depth: int = 0, seen: dict | None = None):
    """The span ``text`` says, or None. ``seen`` keeps what each part read as: a range splits at every "to",
    and a long chain of them would otherwise be read again and again."""
    if depth > 6 or not text:  # phrases nest a few levels at most ("possibly before late 2012")
        return None
    seen = {} if seen is None else seen
    if (text, depth) not in seen:
        seen[text, depth] = _read_once(text, published, written, depth, seen)
    return seen[text, depth]


def _read_once(text: str, published: PartialDate | None, written: str, depth: int, seen: dict) -> Span | None:
    read = lambda part: _read(part, published, written, depth + 1, seen)  # noqa: E731
    if (span := _single(text)) is not None:
        return span
    if (span := _relative(text, published, written)) is not None:
        return span
    for words, mark, strip in (
        (UNCERTAIN_AFTER, "?", _strip_suffix),
        (APPROXIMATE_AFTER, "~", _strip_suffix),
        (UNCERTAIN, "?", _strip_prefix),
        (APPROXIMATE, "~", _strip_prefix),
    ):
        if (rest := strip(text, words)) is not None and (inner := read(rest)) is not None:
            return _qualify(inner, mark)
    for pattern in RANGES:
        if match := pattern.match(text):
            end = read(match["b"])
            start = read(match["a"])
            if start is None and end is not None:  # "March to May 2013", "1 to 15 June 2015": the year is shared
                start = read(f"{match['a']} {match['b'].split(' ', 1)[-1]}")
            if start is not None and end is not None:
                return Span(start.start, end.end)
    for words, before, strip in (
        (ON_OR_BEFORE_AFTER, True, _strip_suffix),
        (ON_OR_AFTER_AFTER, False, _strip_suffix),
        (ON_OR_BEFORE, True, _strip_prefix),
        (ON_OR_AFTER, False, _strip_prefix),
    ):
        if (rest := strip(text, words)) is not None and (inner := read(rest)) is not None:
            return Span(None, inner.end) if before else Span(inner.start, None)
    if (match := _THIRD.match(text)) and (inner := read(match["rest"])) is not None:
        return _third_of(match["word"], inner)
    if (match := _HALF.match(text)) and (year := _year_of(read(match["rest"]))):
        return _month_span(year, *HALVES[f"{match['half']} half"])
    if (match := _QUARTER.match(text)) and (year := _year_of(read(match["rest"]))):
        quarter = QUARTERS[match["ordinal"] or match["q"]]
        return _month_span(year, quarter * 3 - 2, quarter * 3)
    if (rest := _strip_prefix(text, PREPOSITIONS)) is not None:
        return read(rest)
    return None


def _normalise(text: str) -> str:
    text = _DASHES.sub(" \u2013 ", text.strip().lower())
    text = re.sub(r"\s+", " ", text).rstrip(".,;").strip()
    return text


def from_text(text: str, *, published: PartialDate | None = None) -> PartialDate:
    """Read a date as written: EDTF itself or an English phrasing. Relative phrases ("next month") count from
    ``published``, the cited source's publication date. Raises PartialDateError (RelativeDateError for a
    relative phrase with no publication date)."""
    text = text.strip()
    if not text:
        return UNKNOWN
    if "\x00" in text:
        raise PartialDateError("The date contains a NUL character.")
    if len(text) > 200:
        raise PartialDateError("A date is at most 200 characters.")
    if not re.search(r"[a-z]", text):  # EDTF has no lower-case letters; a phrase always has some
        try:
            return from_edtf(text)
        except PartialDateError:
            pass
    span = _read(_normalise(text), published, text)
    if span is None:
        raise PartialDateError(f"Cannot read {text!r} as a date. Write it like {EXAMPLES}, or give the EDTF value.")
    try:
        return from_edtf(span.edtf())
    except PartialDateError as error:  # read, but not a date EDTF can hold ("around spring 2012"), or backwards
        raise PartialDateError(f"Cannot read {text!r} as a date: {error}") from None
