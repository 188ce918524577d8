from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import routers, serializers
from rest_framework.authentication import SessionAuthentication

from cooperation.api.changes import ChangesView
from cooperation.api.deletions import DeletionViewSet
from cooperation.api.ftm import FtmView
from cooperation.api.jobs import JobViewSet
from cooperation.api.likely_duplicates import LikelyDuplicatesView
from cooperation.api.package import PackageView
from cooperation.api.search import SearchView
from cooperation.api.views import viewset_for
from cooperation.login_guard import GuardedBasicAuthentication, GuardedTokenAuthentication
from cooperation.resources import RESOURCES


class Router(routers.DefaultRouter):
    # Ids are digits and fit a 64-bit integer: anything else is a 404 from the URL itself, never a 500.
    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return lookup_prefix + r"(?P<pk>[0-9]{1,18})"


router = Router()
for resource in RESOURCES.values():
    router.register(resource.name, viewset_for(resource), basename=resource.model._meta.model_name)
router.register("deleted", DeletionViewSet, basename="deleted")


@extend_schema(
    request=None,
    responses=inline_serializer(
        "Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField(allow_null=True)}
    ),
)
class LoginView(knox_views.LoginView):
    """POST with HTTP basic auth (or a session) to get a token: ``{"token": ..., "expiry": ...}``.

    The token is shown once; only its hash is stored. Send it as ``Authorization: Token <token>``."""

    authentication_classes = [GuardedBasicAuthentication, SessionAuthentication]

    def post(self, request, format=None):
        had_session = request.session.session_key is not None
        response = super().post(request, format)
        if not had_session and request.session.session_key is not None:
            # django-axes' access log opened a session only to name it; a token client never uses one.
            request.session.flush()
        return response


@extend_schema(request=None, responses={204: None})
class LogoutView(knox_views.LogoutView):
    """Revoke the token the request was made with."""

    authentication_classes = [GuardedTokenAuthentication]


@extend_schema(request=None, responses={204: None})
class LogoutAllView(knox_views.LogoutAllView):
    """Revoke every token of the user."""

    authentication_classes = [GuardedTokenAuthentication]


app_name = "api"
urlpatterns = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="logout-all"),
    path("search/", SearchView.as_view(), name="search"),
    path("duplicates/", LikelyDuplicatesView.as_view(), name="likely-duplicates"),
    path("package/", PackageView.as_view(), name="package"),
    path("ftm/", FtmView.as_view(), name="ftm"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("jobs/<uuid:pk>/", JobViewSet.as_view({"get": "retrieve"}), name="job-detail"),
    path("", include(router.urls)),
]
