"""The Django admin, where analysts enter and curate the data: one module per sub-domain, as in models/.

``base`` holds what every admin shares (history with diffs, partial dates, citations, the parts' inlines);
``filters`` the sidebar filters. Importing the modules registers their admins; a resource that has none gets
``base.default_admin``.
"""

from django.contrib import admin

from cooperation.resources import RESOURCES

from . import actors, agreements, deletions, geography, operations, sources, trafficking, training  # noqa: F401
from .base import default_admin

# A resource with no admin of its own (a vocabulary) gets one derived from its declaration.
for resource in RESOURCES.values():
    if not admin.site.is_registered(resource.model):
        admin.site.register(resource.model, default_admin(resource))
