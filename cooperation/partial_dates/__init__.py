"""Partial dates: as precise as the source, no more.

A date is kept three ways: as written ("October 2012", "late 2012", "by 1 June 2015"), normalised as EDTF
(``2012-10``, ``2012-09/2012-12``, ``[..2015-06-01]``) and as earliest/latest bounds that indexes and
overlap filters use (an open side has no bound).

- ``bounds``: validates EDTF (with the ``edtf`` package) and computes its bounds;
- ``phrases``: reads the English that reporting uses, table by table, into EDTF.
"""

from cooperation.partial_dates.bounds import (
    EDTF_MAX_LENGTH,
    UNKNOWN,
    PartialDate,
    PartialDateError,
    RelativeDateError,
    from_edtf,
)
from cooperation.partial_dates.phrases import EXAMPLES, from_text

__all__ = [
    "EDTF_MAX_LENGTH",
    "EXAMPLES",
    "UNKNOWN",
    "PartialDate",
    "PartialDateError",
    "RelativeDateError",
    "from_edtf",
    "from_text",
]
