"""The pictures' addresses, included by ``urls.py`` in the explorer's namespace: ``/network/`` and ``/map/``."""

from django.urls import path

from cooperation.explorer import pictures

urlpatterns = [
    path("network/", pictures.network_page, name="network"),
    path("map/", pictures.map_page, name="map"),
]
