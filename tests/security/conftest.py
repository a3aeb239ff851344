"""Fixtures of the security tests: one user per role (the groups come from the roles migration)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from hotlines.services.users import ADMINISTRATOR, EXPORTER, OPERATOR, VIEWER

ROLE_USERNAMES = {
    "no_role": None,
    "viewer": VIEWER,
    "exporter": EXPORTER,
    "operator": OPERATOR,
    "administrator": ADMINISTRATOR,
}


def make_role_user(django_user_model, username: str, role: str | None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=f"pw-{username}-Long-enough-1", is_staff=role == ADMINISTRATOR, **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def role_users(db, django_user_model) -> dict:
    """A user per identity of the access table (no_role, viewer, exporter, operator, administrator)."""
    return {name: make_role_user(django_user_model, name, role) for name, role in ROLE_USERNAMES.items()}


@pytest.fixture
def admin_client(client, role_users):
    """A client signed in as the user holding the Administrator role (not a superuser)."""
    client.force_login(role_users["administrator"])
    return client
