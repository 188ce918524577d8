"""The Django admin, where analysts enter and curate the data: one module per sub-domain, as in models/.

``base`` holds what every admin shares (history with diffs, partial dates, citations); ``filters`` the
sidebar filters. Importing the modules registers their admins.
"""

from django.contrib import admin

from . import actors, agreements, deletions, geography, operations, sources, trafficking, training  # noqa: F401

admin.site.site_header = "Cooperation Tracker"
admin.site.site_title = "Cooperation Tracker"
admin.site.index_title = "Data"
