"""Make sure an administrator account exists, without ever using a fixed default password."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser ADMIN_USERNAME (default 'admin') if no superuser exists. The password is "
        "ADMIN_PASSWORD when set, otherwise a random one printed once. Existing accounts are left alone."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        existing = users.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(f"Admin account: {existing.get_username()} (exists; password unchanged)")
            return
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(18)
        users.objects.create_superuser(username=username, email=os.environ.get("ADMIN_EMAIL", ""), password=password)
        if os.environ.get("ADMIN_PASSWORD"):
            self.stdout.write(self.style.SUCCESS(f"Admin account created: {username} (password from ADMIN_PASSWORD)"))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Admin account created: {username} / {password}  (shown once: note it now)")
            )
