"""Partial dates on records: normalised on save, re-read when the text changes, filtered by overlap."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cooperation.models import Post
from cooperation.models.base import date_overlaps, period_overlaps
from tests.factories import EventFactory, PostFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_text_is_normalised_to_edtf_and_bounds_on_save():
    post = PostFactory(start="October 2012", end="")
    post.refresh_from_db()
    assert (post.start, post.start_edtf, post.start_earliest, post.start_latest) == (
        "October 2012",
        "2012-10",
        D(2012, 10, 1),
        D(2012, 10, 31),
    )
    assert (post.end_edtf, post.end_earliest, post.end_latest) == ("", None, None)


def test_editing_the_text_reads_the_date_again():
    post = PostFactory(start="October 2012")
    post = Post.objects.get(pk=post.pk)
    post.start = "2014"
    post.save()
    post.refresh_from_db()
    assert (post.start_edtf, post.start_earliest, post.start_latest) == ("2014", D(2014, 1, 1), D(2014, 12, 31))


def test_an_explicit_edtf_value_wins_for_a_relative_phrase():
    post = PostFactory(start="in the coming year", start_edtf="2013?")
    post = Post.objects.get(pk=post.pk)
    assert (post.start, post.start_edtf, post.start_earliest) == ("in the coming year", "2013?", D(2013, 1, 1))
    post.start_edtf = "2014"
    post.save()
    assert Post.objects.get(pk=post.pk).start_earliest == D(2014, 1, 1)


def test_text_that_cannot_be_read_is_a_validation_error_on_that_field():
    post = PostFactory.build(start="sometime soon", official=PostFactory().official, agency=PostFactory().agency)
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert list(error.value.message_dict) == ["start"]
    assert "Cannot read 'sometime soon' as a date" in error.value.message_dict["start"][0]


def test_invalid_edtf_is_a_validation_error_on_the_edtf_field():
    existing = PostFactory()
    existing.start_edtf = "2012-13"
    with pytest.raises(ValidationError) as error:
        existing.full_clean()
    assert list(error.value.message_dict) == ["start_edtf"]


def test_a_period_that_ends_before_it_starts_is_refused_by_validation():
    post = PostFactory()
    post.start, post.end = "2014", "2012"
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "end" in error.value.message_dict


def test_a_date_known_to_the_month_overlaps_ranges_that_touch_that_month():
    october = EventFactory(date="2012-10")
    EventFactory(date="2013")
    EventFactory(date="")  # unknown: never matches a date filter

    def matching(date_from, date_to):
        from cooperation.models import Event

        return set(Event.objects.filter(date_overlaps("date", date_from, date_to)).values_list("pk", flat=True))

    assert october.pk in matching(D(2012, 10, 1), D(2012, 10, 31))
    assert october.pk in matching(D(2012, 10, 15), D(2012, 10, 15))
    assert october.pk in matching(D(2012, 9, 1), D(2012, 10, 1))
    assert october.pk in matching(D(2012, 10, 31), None)
    assert october.pk in matching(None, D(2012, 10, 1))
    assert october.pk not in matching(D(2012, 11, 1), D(2012, 12, 31))
    assert october.pk not in matching(D(2012, 1, 1), D(2012, 9, 30))
    assert matching(D(2012, 10, 1), D(2012, 10, 31)) == {october.pk}


def test_an_open_period_counts_as_running():
    since_2012 = PostFactory(start="2012", end="")
    until_2010 = PostFactory(start="", end="2010")
    posts = Post.objects.filter(period_overlaps("start", "end", D(2020, 1, 1), D(2020, 12, 31)))
    assert since_2012 in posts
    assert until_2010 not in posts
    assert until_2010 in Post.objects.filter(period_overlaps("start", "end", D(2001, 1, 1), D(2001, 1, 1)))
