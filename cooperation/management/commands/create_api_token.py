import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Issue an API token for a user (e.g. a service account) and print it once. Only its hash is stored; "
        "it expires after --days days (default: API_TOKEN_TTL_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (at least 1).")

    def handle(self, *args, username, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        lifetime = {"expiry": dt.timedelta(days=days)} if days else {}  # default: the configured TTL
        instance, token = AuthToken.objects.create(user, **lifetime)
        self.stdout.write(f"Token for {username} (expires {instance.expiry:%Y-%m-%d %H:%M} UTC), shown once:")
        self.stdout.write(token)
