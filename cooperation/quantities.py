"""Quantities as precise as the source: "41 arrested", "about 2.5 tons", "more than 300", "between 3 and 5".

A quantity is declared once (``Quantity``) and stored in five columns of its model:

- ``<name>``: the value the source gives, or the low end of a range ("between 3 and 5": 3);
- ``<name>_qualifier``: exact, about, at_least, more_than, at_most, fewer_than or between (empty: not reported);
- ``<name>_high``: the high end of a range (``between`` only);
- ``<name>_min`` and ``<name>_max``: the bounds the source allows, derived on every save and indexed, which the
  filters and the CSV's bound columns use. "about" is taken at its value; "more than 300" persons is at least
  301 (a decimal "more than 2.5" keeps 2.5 as its lower bound); "at most"/"fewer than" start from 0; an open
  end is empty (NULL).

A count (of trainees, of countries) is a whole number in integer columns; an amount with a unit (an outcome's
quantity) is a decimal, whole when its unit counts things (persons, laboratories, units). Model validation
(``normalise_quantity``, called by ``TrackedModel.clean``) says what is wrong on the quantity's field; CHECK
constraints (``Quantity.constraints``) hold the same rules in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast


class Qualifier(models.TextChoices):
    EXACT = "exact", "exactly"
    ABOUT = "about", "about"
    AT_LEAST = "at_least", "at least"
    MORE_THAN = "more_than", "more than"
    AT_MOST = "at_most", "at most"
    FEWER_THAN = "fewer_than", "fewer than"
    BETWEEN = "between", "between"


#: Qualifiers of a single value (all but ``between``).
SINGLE = tuple(q for q in Qualifier.values if q != Qualifier.BETWEEN)


class QuantityConstraint(models.CheckConstraint):
    """A CHECK constraint on a quantity's columns. Model validation checks the same rules in Python, with the
    error on the field (``normalise_quantity``), so ``validate`` sends no query; the database backs it up."""

    #: Its ``validate`` sends no query (``services.validate_without_queries`` calls it).
    validated_without_queries = True

    def validate(self, model, instance, exclude=None, using=None):
        return

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


class ColumnName:
    """The name of one of a quantity's columns: the quantity's name and the attribute's (``trainees_high``)."""

    def __set_name__(self, owner, attribute: str) -> None:
        self.suffix = attribute

    def __get__(self, quantity, owner=None):
        return self if quantity is None else f"{quantity.name}_{self.suffix}"


@dataclass(frozen=True)
class Quantity:
    """One quantity of a model: its column name, and whether it is counted in whole numbers.

    Declare it at module level (``TOTAL_TRAINED = Quantity("total_trained")``), its columns in the model with
    ``total_trained, total_trained_qualifier, total_trained_high, total_trained_min, total_trained_max =
    TOTAL_TRAINED.fields("trainees in all", help_text=...)``, list it in the model's ``quantities`` and add
    ``*TOTAL_TRAINED.constraints()`` to its Meta.
    """

    name: str
    #: The model field naming the unit (an outcome's ``unit``); None for a count.
    unit: str | None = None
    #: With a unit: the units counted in whole numbers. Without one the quantity is always a whole number.
    whole_units: tuple[str, ...] = ()
    max_digits: int = 16
    decimal_places: int = 3

    # The names of its other columns: ``total_trained_qualifier``, ``total_trained_high``, ...
    qualifier = ColumnName()
    high = ColumnName()
    min = ColumnName()
    max = ColumnName()

    @property
    def columns(self) -> tuple[str, str, str, str, str]:
        return (self.name, self.qualifier, self.high, self.min, self.max)

    @property
    def integer(self) -> bool:
        """Stored in integer columns (a count with no unit)."""
        return self.unit is None

    def whole(self, record) -> bool:
        """Whether this record's quantity is a whole number (a count, or an amount in persons, ...)."""
        return self.unit is None or getattr(record, self.unit) in self.whole_units

    def fields(self, label: str, *, help_text: str = "", small: bool = False) -> tuple[models.Field, ...]:
        def number(verbose: str, **kwargs) -> models.Field:
            if self.integer:
                kind = models.PositiveSmallIntegerField if small else models.PositiveIntegerField
                return kind(verbose, null=True, blank=True, **kwargs)
            return models.DecimalField(
                verbose,
                max_digits=self.max_digits,
                decimal_places=self.decimal_places,
                null=True,
                blank=True,
                **kwargs,
            )

        return (
            number(
                label,
                help_text=(help_text + " " if help_text else "")
                + "The number the source gives; the low end of a range (\u201cbetween 3 and 5\u201d: 3).",
            ),
            models.CharField(
                f"{label}: qualifier",
                max_length=10,
                choices=Qualifier.choices,
                blank=True,
                help_text="How precise the source is: exactly, about, at least, more than, at most, fewer than, "
                "between. Empty with a number: exactly.",
            ),
            number(f"{label}: high end", help_text="The high end of a range (with \u201cbetween\u201d only)."),
            number(f"{label}: lower bound", editable=False, db_index=True),
            number(f"{label}: upper bound", editable=False, db_index=True),
        )

    def constraints(self) -> list[models.CheckConstraint]:
        name, qualifier, high, low_bound, high_bound = self.columns
        empty = Q(**{qualifier: "", f"{name}__isnull": True, f"{high}__isnull": True})
        single = Q(**{f"{qualifier}__in": SINGLE, f"{name}__isnull": False, f"{high}__isnull": True})
        # NULL compared is unknown, which a CHECK lets through: both ends are asked for explicitly.
        between = Q(
            **{qualifier: Qualifier.BETWEEN, f"{name}__isnull": False, f"{high}__isnull": False, f"{high}__gt": F(name)}
        )
        derived = (
            Q(**{f"{low_bound}__isnull": True})
            | Q(**{f"{high_bound}__isnull": True})
            | Q(**{f"{low_bound}__lte": F(high_bound)})
        )
        constraints = [
            QuantityConstraint(
                condition=empty | single | between,
                name=f"%(class)s_{name}_qualified",
                violation_error_message="A quantity has a qualifier and a value, or \u201cbetween\u201d and a low "
                "and a high end (low below high), or nothing.",
            ),
            QuantityConstraint(
                condition=derived,
                name=f"%(class)s_{name}_bounds_in_order",
                violation_error_message="A quantity's lower bound is above its upper bound.",
            ),
        ]
        if not self.integer:
            constraints.append(
                QuantityConstraint(
                    condition=(Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}))
                    & (Q(**{f"{high}__isnull": True}) | Q(**{f"{high}__gte": 0})),
                    name=f"%(class)s_{name}_not_negative",
                    violation_error_message="A quantity cannot be negative.",
                )
            )
            if self.whole_units:

                def is_whole(column: str) -> Q:
                    return Q(**{f"{column}__isnull": True}) | Q(**{column: Cast(column, models.BigIntegerField())})

                constraints.append(
                    QuantityConstraint(
                        condition=~Q(**{f"{self.unit}__in": self.whole_units}) | (is_whole(name) & is_whole(high)),
                        name=f"%(class)s_{name}_whole_count",
                        violation_error_message="A count of persons (laboratories, units) is a whole number.",
                    )
                )
        return constraints

    def value(self, record) -> QuantityValue | None:
        """The quantity of a record as the source gives it (None when not reported)."""
        qualifier, value, high = (getattr(record, column) for column in (self.qualifier, self.name, self.high))
        if value is None and not qualifier:
            return None
        if qualifier == Qualifier.BETWEEN:
            return QuantityValue(Qualifier.BETWEEN, None, value, high)
        return QuantityValue(qualifier or Qualifier.EXACT, value, None, None)


@dataclass(frozen=True)
class QuantityValue:
    """A quantity as a source gives it: a qualifier and a value, or ``between`` and a low and a high end."""

    qualifier: str
    value: Decimal | int | None
    low: Decimal | int | None = None
    high: Decimal | int | None = None

    def __str__(self) -> str:
        if self.qualifier == Qualifier.BETWEEN:
            return f"between {number_text(self.low)} and {number_text(self.high)}"
        if self.qualifier == Qualifier.EXACT:
            return number_text(self.value)
        return f"{Qualifier(self.qualifier).label} {number_text(self.value)}"

    def columns(self, quantity: Quantity) -> dict:
        """The values of the quantity's entered columns (its bounds follow on save)."""
        if self.qualifier == Qualifier.BETWEEN:
            values = (self.low, Qualifier.BETWEEN, self.high)
        else:
            values = (self.value, self.qualifier, None)
        return dict(zip((quantity.name, quantity.qualifier, quantity.high), values, strict=True))


def number_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def bounds(qualifier: str, value, high, whole: bool) -> tuple:
    """The lower and upper bounds a quantity allows (None: open)."""
    zero = 0 if whole else Decimal(0)
    step = 1 if whole else 0
    if qualifier in (Qualifier.EXACT, Qualifier.ABOUT):
        return value, value
    if qualifier == Qualifier.AT_LEAST:
        return value, None
    if qualifier == Qualifier.MORE_THAN:
        return value + step, None
    if qualifier == Qualifier.AT_MOST:
        return zero, value
    if qualifier == Qualifier.FEWER_THAN:
        return zero, value - step
    if qualifier == Qualifier.BETWEEN:
        return value, high
    return None, None


def normalise_quantity(quantity: Quantity, record) -> dict[str, str]:
    """Check a record's quantity and derive its bounds: the errors by field (the quantity's name)."""
    name, qualifier_column, high_column, min_column, max_column = quantity.columns
    value, qualifier, high = (
        getattr(record, name),
        getattr(record, qualifier_column) or "",
        getattr(record, high_column),
    )
    setattr(record, min_column, None)
    setattr(record, max_column, None)
    try:  # as the column reads it ("2.500" from a fixture or a form is 2.500)
        value, high = (
            record._meta.get_field(column).to_python(v) for column, v in ((name, value), (high_column, high))
        )
    except ValidationError:
        return {}  # not a number: clean_fields says so
    if isinstance(value, float) or isinstance(high, float):
        return {}
    if value is not None and not qualifier:
        qualifier = Qualifier.EXACT  # a bare number is exact
    setattr(record, qualifier_column, qualifier)
    if not qualifier:
        return {name: "Give a value with its qualifier."} if high is not None else {}
    if qualifier not in Qualifier.values:
        return {}  # clean_fields names the choices
    if qualifier == Qualifier.BETWEEN:
        if value is None or high is None:
            return {name: "\u201cbetween\u201d needs a low and a high end."}
        if not value < high:
            return {name: "The low end of a range is below its high end."}
    elif value is None:
        return {name: f"\u201c{Qualifier(qualifier).label}\u201d needs a value."}
    elif high is not None:
        return {name: "Only a range (\u201cbetween\u201d) has a high end."}
    whole = quantity.whole(record)
    for each in (value, high):
        if each is not None and each < 0:
            return {name: "A quantity cannot be negative."}
        if each is not None and whole and each != int(each):
            return {name: "A count of persons (or of laboratories, units) is a whole number."}
    if whole:
        value, high = (None if each is None else int(each) for each in (value, high))
        if quantity.integer:
            setattr(record, name, value)
            setattr(record, high_column, high)
    if qualifier == Qualifier.FEWER_THAN and value == 0:
        return {name: "Nothing is fewer than 0."}
    low_bound, high_bound = bounds(qualifier, value, high, whole)
    setattr(record, min_column, low_bound)
    setattr(record, max_column, high_bound)
    return {}


# --- Reading a quantity written as text ("about 2.5", "between 3 and 5", "more than 300") -----------------------
PHRASES = {
    "exactly": Qualifier.EXACT,
    "about": Qualifier.ABOUT,
    "around": Qualifier.ABOUT,
    "approximately": Qualifier.ABOUT,
    "c.": Qualifier.ABOUT,
    "~": Qualifier.ABOUT,
    "at least": Qualifier.AT_LEAST,
    "more than": Qualifier.MORE_THAN,
    "over": Qualifier.MORE_THAN,
    "at most": Qualifier.AT_MOST,
    "up to": Qualifier.AT_MOST,
    "fewer than": Qualifier.FEWER_THAN,
    "less than": Qualifier.FEWER_THAN,
    "under": Qualifier.FEWER_THAN,
}
EXAMPLES = '"41", "about 2.5", "more than 300", "at least 14", "fewer than 10" or "between 3 and 5"'


class QuantityTextError(ValueError):
    pass


def parse_number(text: str) -> Decimal:
    from decimal import InvalidOperation

    cleaned = text.strip().replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise QuantityTextError(f"{text.strip()!r} is not a number; write e.g. {EXAMPLES}.") from None
    if not number.is_finite():
        raise QuantityTextError(f"{text.strip()!r} is not a number; write e.g. {EXAMPLES}.")
    return number


def from_text(text: str) -> QuantityValue | None:
    """A quantity written as text, e.g. "about 2.5", "between 3 and 5", "41"; None for empty text."""
    words = " ".join(text.split()).lower()
    if not words:
        return None
    if words.startswith("between "):
        low, sep, high = words.removeprefix("between ").partition(" and ")
        if not sep:
            raise QuantityTextError(f"Write a range as \u201cbetween 3 and 5\u201d, not {text.strip()!r}.")
        return QuantityValue(Qualifier.BETWEEN, None, parse_number(low), parse_number(high))
    for phrase, qualifier in sorted(PHRASES.items(), key=lambda item: -len(item[0])):
        if words.startswith(phrase) and (phrase[-1] in ".~" or words[len(phrase) : len(phrase) + 1] == " "):
            return QuantityValue(qualifier, parse_number(words[len(phrase) :]))
    return QuantityValue(Qualifier.EXACT, parse_number(words))


def columns_from_text(quantity: Quantity, text: str) -> dict:
    """A quantity written as text as the values of its columns (value, qualifier, high end). Raises
    QuantityTextError, saying what to write instead."""
    value = from_text(text)
    if value is None:
        return {quantity.name: None, quantity.qualifier: "", quantity.high: None}
    numbers = [n for n in (value.value, value.low, value.high) if n is not None]
    if quantity.integer and any(n != int(n) for n in numbers):
        raise QuantityTextError(f"{text.strip()!r}: a count is a whole number.")
    columns = value.columns(quantity)
    if quantity.integer:
        columns = {k: int(v) if isinstance(v, Decimal) else v for k, v in columns.items()}
    return columns
