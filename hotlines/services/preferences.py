"""Writes of a user's own choices: rows per page, list columns, language."""

from __future__ import annotations

from django.conf import settings

from ..columns import columns_resolve
from ..models import UserPreference
from ..selectors.users import PREFERENCE_ON_USER

UNSET = object()


def user_preference_update(*, user, per_page=UNSET, columns=UNSET, language=UNSET) -> UserPreference:
    """Save the given choices (others untouched); None or an empty list brings a choice back to its default."""
    preference, _created = UserPreference.objects.get_or_create(user=user)
    changed = []
    if per_page is not UNSET:
        preference.per_page = per_page
        changed.append("per_page")
    if columns is not UNSET:
        preference.columns = columns_resolve(columns) if columns else []
        changed.append("columns")
    if language is not UNSET:
        preference.language = language if language in dict(settings.LANGUAGES) else ""
        changed.append("language")
    if changed:
        preference.save(update_fields=[*changed, "updated_at"])
    # What the rest of the request reads (the preference may have come with the user).
    PREFERENCE_ON_USER.set_cached_value(user, preference)
    return preference


def user_preference_reset_list(*, user) -> None:
    """Forget the list choices (page size and columns), keeping the language."""
    UserPreference.objects.filter(user=user).update(per_page=None, columns=[])
    if PREFERENCE_ON_USER.is_cached(user):
        PREFERENCE_ON_USER.delete_cached_value(user)  # read again, as now stored, by whatever asks next
