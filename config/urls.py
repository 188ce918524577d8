from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from cooperation.views import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
]
