"""Reading dates as precise as the source: as written, as EDTF, and as earliest/latest bounds."""

import datetime as dt

import pytest

from cooperation.partial_dates import PartialDate, PartialDateError, RelativeDateError, bounds, from_edtf, from_text

D = dt.date
#: The publication date relative phrases count from in PHRASES: Wednesday 10 June 2015.
PUBLISHED = PartialDate("2015-06-10", D(2015, 6, 10), D(2015, 6, 10))

#: Phrases as reporting writes them -> EDTF, earliest, latest (None: open on that side).
PHRASES = [
    # single dates
    ("12 October 2012", "2012-10-12", D(2012, 10, 12), D(2012, 10, 12)),
    ("October 12, 2012", "2012-10-12", D(2012, 10, 12), D(2012, 10, 12)),
    ("12th of October 2012", "2012-10-12", D(2012, 10, 12), D(2012, 10, 12)),
    ("on 3 Feb 2014", "2014-02-03", D(2014, 2, 3), D(2014, 2, 3)),
    ("Sept. 2013", "2013-09", D(2013, 9, 1), D(2013, 9, 30)),
    ("in October 2012", "2012-10", D(2012, 10, 1), D(2012, 10, 31)),
    ("during 2011", "2011", D(2011, 1, 1), D(2011, 12, 31)),
    # open-ended bounds: on or before / on or after
    ("by 1 June 2015", "[..2015-06-01]", None, D(2015, 6, 1)),
    ("before 1 June 2015", "[..2015-06-01]", None, D(2015, 6, 1)),
    ("until 2015", "[..2015]", None, D(2015, 12, 31)),
    ("up to March 2016", "[..2016-03]", None, D(2016, 3, 31)),
    ("no later than March 2016", "[..2016-03]", None, D(2016, 3, 31)),
    ("prior to 2010", "[..2010]", None, D(2010, 12, 31)),
    ("2014 or earlier", "[..2014]", None, D(2014, 12, 31)),
    ("after 2012", "[2012..]", D(2012, 1, 1), None),
    ("since August 2011", "[2011-08..]", D(2011, 8, 1), None),
    ("from 2012", "[2012..]", D(2012, 1, 1), None),
    ("not before 5 May 2012", "[2012-05-05..]", D(2012, 5, 5), None),
    ("2012 onwards", "[2012..]", D(2012, 1, 1), None),
    ("2012 or later", "[2012..]", D(2012, 1, 1), None),
    # early / mid / late: thirds of a year (months), a month (days) and a decade (years)
    ("early 2012", "2012-01/2012-04", D(2012, 1, 1), D(2012, 4, 30)),
    ("mid-2013", "2013-05/2013-08", D(2013, 5, 1), D(2013, 8, 31)),
    ("mid 2013", "2013-05/2013-08", D(2013, 5, 1), D(2013, 8, 31)),
    ("late 2012", "2012-09/2012-12", D(2012, 9, 1), D(2012, 12, 31)),
    ("the end of 2012", "2012-09/2012-12", D(2012, 9, 1), D(2012, 12, 31)),
    ("the beginning of 2016", "2016-01/2016-04", D(2016, 1, 1), D(2016, 4, 30)),
    ("early June 2015", "2015-06-01/2015-06-10", D(2015, 6, 1), D(2015, 6, 10)),
    ("mid-June 2015", "2015-06-11/2015-06-20", D(2015, 6, 11), D(2015, 6, 20)),
    ("late February 2012", "2012-02-21/2012-02-29", D(2012, 2, 21), D(2012, 2, 29)),
    ("the early 2010s", "2010/2013", D(2010, 1, 1), D(2013, 12, 31)),
    ("mid-2000s", "2004/2006", D(2004, 1, 1), D(2006, 12, 31)),
    ("the late 1990s", "1997/1999", D(1997, 1, 1), D(1999, 12, 31)),
    ("the first half of 2014", "2014-01/2014-06", D(2014, 1, 1), D(2014, 6, 30)),
    ("second half of 2013", "2013-07/2013-12", D(2013, 7, 1), D(2013, 12, 31)),
    ("Q3 2014", "2014-07/2014-09", D(2014, 7, 1), D(2014, 9, 30)),
    ("the last quarter of 2011", "2011-10/2011-12", D(2011, 10, 1), D(2011, 12, 31)),
    # seasons (northern hemisphere; a winter may be either end of its year)
    ("spring 2012", "2012-21", D(2012, 3, 1), D(2012, 5, 31)),
    ("summer of 2013", "2013-22", D(2013, 6, 1), D(2013, 8, 31)),
    ("autumn 2011", "2011-23", D(2011, 9, 1), D(2011, 11, 30)),
    ("fall 2011", "2011-23", D(2011, 9, 1), D(2011, 11, 30)),
    ("winter 2012", "2012-24", D(2012, 1, 1), D(2013, 2, 28)),
    # approximate and uncertain
    ("c. 2013", "2013~", D(2013, 1, 1), D(2013, 12, 31)),
    ("circa March 2013", "2013-03~", D(2013, 3, 1), D(2013, 3, 31)),
    ("around 2013", "2013~", D(2013, 1, 1), D(2013, 12, 31)),
    ("approximately May 2014", "2014-05~", D(2014, 5, 1), D(2014, 5, 31)),
    ("possibly 2013", "2013?", D(2013, 1, 1), D(2013, 12, 31)),
    ("reportedly in 2014", "2014?", D(2014, 1, 1), D(2014, 12, 31)),
    ("2013 (unconfirmed)", "2013?", D(2013, 1, 1), D(2013, 12, 31)),
    ("late 2012?", "2012-09?/2012-12?", D(2012, 9, 1), D(2012, 12, 31)),
    ("possibly around 2013", "2013%", D(2013, 1, 1), D(2013, 12, 31)),
    ("around mid-2013", "2013-05~/2013-08~", D(2013, 5, 1), D(2013, 8, 31)),
    ("before around 2013", "../2013~", None, D(2013, 12, 31)),
    # decades
    ("the 2010s", "201X", D(2010, 1, 1), D(2019, 12, 31)),
    ("1990s", "199X", D(1990, 1, 1), D(1999, 12, 31)),
    ("the 1980's", "198X", D(1980, 1, 1), D(1989, 12, 31)),
    ("around the 2000s", "200X~", D(2000, 1, 1), D(2009, 12, 31)),
    # ranges
    ("2012 to 2013", "2012/2013", D(2012, 1, 1), D(2013, 12, 31)),
    ("between 2012 and 2014", "2012/2014", D(2012, 1, 1), D(2014, 12, 31)),
    ("from March to May 2013", "2013-03/2013-05", D(2013, 3, 1), D(2013, 5, 31)),
    ("between April and June 2014", "2014-04/2014-06", D(2014, 4, 1), D(2014, 6, 30)),
    ("1\u201315 June 2015", "2015-06-01/2015-06-15", D(2015, 6, 1), D(2015, 6, 15)),
    ("2012-2013", "2012/2013", D(2012, 1, 1), D(2013, 12, 31)),
    ("October 2012 - March 2013", "2012-10/2013-03", D(2012, 10, 1), D(2013, 3, 31)),
    ("late 2012 to early 2013", "2012-09/2013-04", D(2012, 9, 1), D(2013, 4, 30)),
    ("possibly 2012 to 2013", "2012?/2013?", D(2012, 1, 1), D(2013, 12, 31)),
    # relative to the publication date (Wednesday 10 June 2015)
    ("next month", "2015-07", D(2015, 7, 1), D(2015, 7, 31)),
    ("last month", "2015-05", D(2015, 5, 1), D(2015, 5, 31)),
    ("this month", "2015-06", D(2015, 6, 1), D(2015, 6, 30)),
    ("last week", "2015-06-01/2015-06-07", D(2015, 6, 1), D(2015, 6, 7)),
    ("next week", "2015-06-15/2015-06-21", D(2015, 6, 15), D(2015, 6, 21)),
    ("next year", "2016", D(2016, 1, 1), D(2016, 12, 31)),
    ("last year", "2014", D(2014, 1, 1), D(2014, 12, 31)),
    ("in the coming year", "2015-06-10/2016-06-10", D(2015, 6, 10), D(2016, 6, 10)),
    ("over the coming month", None, None, None),  # not understood: "over" is not a preposition it reads
    ("in the coming months", "[2015-06-10..]", D(2015, 6, 10), None),
    ("yesterday", "2015-06-09", D(2015, 6, 9), D(2015, 6, 9)),
    ("two years ago", "2013", D(2013, 1, 1), D(2013, 12, 31)),
    ("3 months ago", "2015-03", D(2015, 3, 1), D(2015, 3, 31)),
    ("earlier this year", "2015-01-01/2015-06-10", D(2015, 1, 1), D(2015, 6, 10)),
    ("later this year", "2015-06-10/2015-12-31", D(2015, 6, 10), D(2015, 12, 31)),
    ("recently", "[..2015-06-10]", None, D(2015, 6, 10)),
    ("by next month", "[..2015-07]", None, D(2015, 7, 31)),
]


def test_the_phrase_table_is_large_enough():
    assert len([row for row in PHRASES if row[1]]) >= 60


@pytest.mark.parametrize(("written", "edtf", "earliest", "latest"), PHRASES, ids=[row[0] for row in PHRASES])
def test_reads_the_phrasing_of_reports(written, edtf, earliest, latest):
    if edtf is None:
        with pytest.raises(PartialDateError, match="Cannot read"):
            from_text(written, published=PUBLISHED)
        return
    date = from_text(written, published=PUBLISHED)
    assert (date.edtf, date.earliest, date.latest) == (edtf, earliest, latest)
    assert from_edtf(date.edtf) == date  # the EDTF value alone gives back the same bounds


@pytest.mark.parametrize("written", [row[0] for row in PHRASES[-16:] if row[1]])
def test_a_relative_phrase_with_no_publication_date_says_so(written):
    with pytest.raises(RelativeDateError, match="relative date needs a cited source with a publication date"):
        from_text(written)


def test_a_publication_date_known_to_a_month_widens_what_a_relative_phrase_can_be():
    june = PartialDate("2015-06", D(2015, 6, 1), D(2015, 6, 30))
    assert from_text("next month", published=june).edtf == "2015-07"
    assert from_text("last week", published=june) == PartialDate(
        "2015-05-25/2015-06-28", D(2015, 5, 25), D(2015, 6, 28)
    )
    assert from_text("in the coming year", published=PartialDate("[2012-10..]", D(2012, 10, 1), None)).edtf == (
        "[2012-10-01..]"
    )


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
    ["next spring", "xyz", "2012 or 2013", "2", "2012-10-40", "99999", "Y20000", "-0001", "late", "around spring 2012"],
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


CALENDAR_DATES = [
    *(f"2012-{month:02d}" for month in range(1, 13)),
    *("1", "0001", "1999", "9999", "9999-12", "9999-12-31", "0001-01-01", "1066-10-14"),
    *("2012-02-29", "2000-02-29", "1900-02-28", "2024-12-31", "2013-01-01"),
]


@pytest.mark.parametrize("value", CALENDAR_DATES)
def test_a_plain_calendar_date_is_read_as_the_edtf_grammar_reads_it(value):
    fast = bounds.calendar_date(value)
    if len(value) < 4:
        assert fast is None
        return
    assert fast == bounds.from_grammar(value)


@pytest.mark.parametrize("value", ["2013-02-29", "2012-13", "2012-21", "2012-00", "0000", "2012-10-32", "2012?"])
def test_what_is_not_a_plain_calendar_date_is_left_to_the_grammar(value):
    assert bounds.calendar_date(value) is None
