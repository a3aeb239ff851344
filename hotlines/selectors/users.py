"""The dashboard's users: the Users page, who is locked out, and each person's saved preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ..models import UserPreference

# The user's side of UserPreference.user: a user object loaded with their preference holds it there
# (hotlines.authentication.PreferenceModelBackend), and the preference's writes keep it up to date.
PREFERENCE_ON_USER = UserPreference.user.field.remote_field

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def user_list() -> QuerySet[AbstractBaseUser]:
    """Users with their groups, for the Users page."""
    return get_user_model().objects.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))


def user_locked_usernames() -> set[str]:
    """User names django-axes currently locks out (failures reached the limit within the cool-off)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.exclude(username=None).values_list("username", flat=True))


def user_preference_get(*, user: AbstractBaseUser | AnonymousUser) -> UserPreference | None:
    """A user's saved list and language choices, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    if PREFERENCE_ON_USER.is_cached(user):
        return PREFERENCE_ON_USER.get_cached_value(user)  # read with the user (None: they have none)
    return UserPreference.objects.filter(user=user).first()
