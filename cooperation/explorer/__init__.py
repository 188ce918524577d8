"""The explorer: read-only pages for looking at the cooperation, served at ``/``.

Every page is derived from the resource declarations (``cooperation/resources.py``) as the API is, and reads
through what the API already defines: its access rule (``api.permissions.may_view``), its querysets and
prefetches (``api.views.viewset_for``), its filtersets and its cross-resource search (``api.search``)."""
