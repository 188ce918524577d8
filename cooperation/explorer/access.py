"""Who may see the explorer's pages: the API's rule for reads (``cooperation.api.permissions.may_view``), so a
page never shows what the API would refuse. With API_READ_REQUIRES_LOGIN on, an anonymous visitor is sent to
the admin's login, and a user sees a kind of record only with its view permission."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.urls import reverse

from cooperation.api.permissions import may_view


def login_when_required(view):
    """Anonymous visitors go to the admin's login first when reads require one."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.API_READ_REQUIRES_LOGIN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapped


def require_view(user, model: type[Model]) -> None:
    """403 unless ``user`` may read records of ``model``."""
    if not may_view(user, model):
        raise PermissionDenied(f"You may not view {model._meta.verbose_name_plural}.")
