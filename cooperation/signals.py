"""Tombstones for deleted records of every resource, however they are deleted (API, admin, scripts)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete
from simple_history.models import HistoricalRecords

from cooperation.models import Deletion


def deleting_user(instance):
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def leave_tombstone(sender, instance, **kwargs) -> None:
    Deletion.objects.create(
        content_type=ContentType.objects.get_for_model(sender),
        record_id=instance.pk,
        display=str(instance)[:300],
        deleted_by=deleting_user(instance),
        operation=getattr(instance, "_history_operation", None),
    )


def connect() -> None:
    from cooperation.resources import RESOURCES

    for resource in RESOURCES.values():
        post_delete.connect(leave_tombstone, sender=resource.model, dispatch_uid=f"tombstone-{resource.name}")
