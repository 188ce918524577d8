"""Filtering: one filterset per resource, derived from its declaration (``cooperation.resources``). The API list,
the CSV export and the admin all filter through these.

Conventions every filterset shares (``RecordFilterSet``):
- multi-valued filters take repeated parameters or comma lists (``?status=announced&status=signed`` or
  ``?status=announced,signed``);
- text fields have ``exact``, ``__icontains`` and ``__istartswith`` lookups; ``q`` searches the main text;
- countries are given by ISO alpha-2/alpha-3 code, numeric code or name; a region by M49 code or name, and
  it includes every country under it at any depth;
- ``date_from``/``date_to`` keep records whose (partial) dates overlap the range, or with ``date_match=within``
  only those whose dates certainly fall inside it;
- ``updated_since`` keeps records changed at or after a time;
- an unknown country, region or value is an error that names the parameter, never an empty or full table.
"""
