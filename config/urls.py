from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cooperation.views import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cooperation.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL instead of inline, as the Content-Security-Policy requires.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="cooperation/swagger_ui.html"),
        name="api-docs",
    ),
    path("api-auth/", include("rest_framework.urls")),
    # Last: the explorer's pages take the addresses no one above has (/, /search/, /agreements/12/, ...).
    path("", include("cooperation.explorer.urls")),
]

handler404 = "cooperation.views.not_found"
handler500 = "cooperation.views.server_error"
