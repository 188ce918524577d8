from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from rest_framework import permissions


def may_view(user, model: type[Model]) -> bool:
    """Whether ``user`` may read records of ``model``: anyone while reads are public, otherwise a user with the
    model's view permission. Every read that tells about records (lists, the deletion log, citations, search,
    jobs) asks this, so none shows more than the resource itself would."""
    if not settings.API_READ_REQUIRES_LOGIN:
        return True
    return bool(
        user and user.is_authenticated and user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    )


def viewable_content_types(user, models) -> list[ContentType]:
    """The content types of those of ``models`` that ``user`` may view."""
    return list(ContentType.objects.get_for_models(*(mo for mo in models if may_view(user, mo))).values())


class ModelPermissions(permissions.DjangoModelPermissions):
    """Reads are public (or need login and the model's view permission when API_READ_REQUIRES_LOGIN is on);
    every write needs an authenticated user with the model's add, change or delete permission."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and not settings.API_READ_REQUIRES_LOGIN:
            return True
        if getattr(view, "_ignore_model_permissions", False):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


class ReadOnlyUnlessStaff(permissions.BasePermission):
    """For views not tied to one model (the deletion log): public reads, like the rest of the API."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return not settings.API_READ_REQUIRES_LOGIN or request.user.is_authenticated
        return False


class MayMerge(permissions.BasePermission):
    """Merging a duplicate into a record changes the one and deletes the other: it takes both permissions."""

    def has_permission(self, request, view):
        meta = view.queryset.model._meta
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perms(
                [f"{meta.app_label}.change_{meta.model_name}", f"{meta.app_label}.delete_{meta.model_name}"]
            )
        )
