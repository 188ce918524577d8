from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def ensure_admin() -> str:
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_creates_an_admin_with_a_random_password_shown_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first = ensure_admin()
    password = first.split(" / ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert len(password) >= 20
    assert admin.check_password(password)

    second = ensure_admin()
    assert password not in second
    assert "exists; password unchanged" in second
    assert get_user_model().objects.count() == 1
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_random_passwords_differ_between_installations(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    first = ensure_admin().split(" / ")[1].split()[0]
    get_user_model().objects.all().delete()
    second = ensure_admin().split(" / ")[1].split()[0]
    assert first != second


def test_takes_username_and_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "curator")
    monkeypatch.setenv("ADMIN_PASSWORD", "a long passphrase from the vault")
    output = ensure_admin()
    assert "a long passphrase" not in output
    assert get_user_model().objects.get(username="curator").check_password("a long passphrase from the vault")
