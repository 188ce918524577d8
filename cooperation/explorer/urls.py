"""The explorer's addresses: ``/``, ``/search/``, and for each resource of ``cooperation/resources.py`` its list
``/<name>/`` and its records ``/<name>/<id>/`` (a country also by its code: ``/countries/RU/``). A name that
is not a resource, or an id that is not one, is a 404 from the address itself."""

from django.urls import include, path, re_path

from cooperation.explorer import timeline, views
from cooperation.resources import RESOURCES

#: Ids are digits and fit a 64-bit integer, as in the API: anything else never reaches a query.
ID = r"(?P<pk>[0-9]{1,18})"

app_name = "explorer"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("timeline/", timeline.timeline_page, name="timeline"),
    re_path(r"^countries/(?P<code>[A-Za-z]{2})/$", views.country_by_code, name="country-by-code"),
    path("", include("cooperation.explorer.picture_urls")),  # /network/, /map/
]
for resource in RESOURCES.values():
    urlpatterns += [
        path(f"{resource.name}/", views.record_list, {"resource": resource}, name=f"{resource.name}-list"),
        re_path(
            rf"^{resource.name}/{ID}/$", views.record_detail, {"resource": resource}, name=f"{resource.name}-detail"
        ),
    ]
