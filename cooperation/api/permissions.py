from django.conf import settings
from rest_framework import permissions


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
