"""Reading dates as precise as the source: as written, as EDTF, and as earliest/latest bounds."""

import datetime as dt

import pytest

from cooperation.partial_dates import PartialDateError, from_edtf, from_text

D = dt.date


@pytest.mark.parametrize(
    ("written", "edtf", "earliest", "latest"),
    [
        ("October 2012", "2012-10", D(2012, 10, 1), D(2012, 10, 31)),
        ("2012-10", "2012-10", D(2012, 10, 1), D(2012, 10, 31)),
        ("2013", "2013", D(2013, 1, 1), D(2013, 12, 31)),
        ("12 October 2012", "2012-10-12", D(2012, 10, 12), D(2012, 10, 12)),
        ("February 2012", "2012-02", D(2012, 2, 1), D(2012, 2, 29)),
        ("c. 2013", "2013~", D(2013, 1, 1), D(2013, 12, 31)),
        ("2013?", "2013?", D(2013, 1, 1), D(2013, 12, 31)),
        ("the 2010s", "201X", D(2010, 1, 1), D(2019, 12, 31)),
        ("2012/2013", "2012/2013", D(2012, 1, 1), D(2013, 12, 31)),
        ("after October 2012", "[2012-10..]", D(2012, 10, 1), None),
        ("before 2013", "[..2013]", None, D(2013, 12, 31)),
        ("  2012-10  ", "2012-10", D(2012, 10, 1), D(2012, 10, 31)),
    ],
)
def test_reads_what_analysts_write(written, edtf, earliest, latest):
    date = from_text(written)
    assert (date.edtf, date.earliest, date.latest) == (edtf, earliest, latest)


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest"),
    [
        ("[2012-10..]", D(2012, 10, 1), None),
        ("2012-10/..", D(2012, 10, 1), None),
        ("2012-10/", D(2012, 10, 1), None),  # unknown end: no claim about it
        ("../2013", None, D(2013, 12, 31)),
        ("2012-21", D(2012, 3, 1), D(2012, 5, 31)),  # spring
    ],
)
def test_open_and_unknown_ends_leave_that_bound_empty(edtf, earliest, latest):
    date = from_edtf(edtf)
    assert (date.earliest, date.latest) == (earliest, latest)


@pytest.mark.parametrize(
    "written",
    ["in the coming year", "next spring", "xyz", "2012 or 2013", "2", "2012-10-40", "99999", "Y20000", "-0001"],
)
def test_text_that_cannot_be_read_is_an_error_that_says_what_to_write(written):
    with pytest.raises(PartialDateError, match="October 2012|EDTF|1 to 9999"):
        from_text(written)


@pytest.mark.parametrize("edtf", ["October 2012", "2012-13", "2013/2012", "2012-10\x00", "x" * 200])
def test_invalid_edtf_is_an_error(edtf):
    with pytest.raises(PartialDateError):
        from_edtf(edtf)


def test_empty_means_unknown():
    assert not from_text("").is_known
    assert not from_edtf("  ").is_known
    assert from_text("").earliest is None
