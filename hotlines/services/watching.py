"""Writes of watches: a person watches a saved view (their own or a shared one) or one hotline,
in the dashboard only or by email too, changes that channel, stops watching."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import Hotline, SavedView, Watch
from .saved_views import saved_view_can_see


def _watch_get_or_create(*, user, email: bool, **target) -> tuple[Watch, bool]:
    """The person's watch of the target, created when there is none (watching twice is no error:
    the existing watch is returned as it is)."""
    existing = Watch.objects.filter(user=user, **target).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Watch.objects.create(user=user, email=email, **target), True
    except IntegrityError:  # the same watch created at the same moment (a double click)
        return Watch.objects.get(user=user, **target), False


def watch_view(*, user, view: SavedView, email: bool = False) -> tuple[Watch, bool]:
    """Watch a saved view the person may see; (the watch, whether it is new)."""
    if not saved_view_can_see(user=user, view=view):
        raise PermissionDenied(_("You may not see this view."))
    return _watch_get_or_create(user=user, email=email, view=view)


def watch_hotline(*, user, hotline: Hotline, email: bool = False) -> tuple[Watch, bool]:
    """Watch one hotline; (the watch, whether it is new)."""
    return _watch_get_or_create(user=user, email=email, hotline=hotline)


def _own(*, user, watch: Watch) -> None:
    if watch.user_id != user.pk:
        raise PermissionDenied(_("This is not your watch."))


def watch_set_email(*, user, watch: Watch, email: bool) -> bool:
    """Dashboard only (False) or dashboard and email (True); True when that changed."""
    _own(user=user, watch=watch)
    if watch.email == bool(email):
        return False
    watch.email = bool(email)
    watch.save(update_fields=["email"])
    return True


def watch_remove(*, user, watch: Watch) -> None:
    """Stop watching (the notifications already received stay)."""
    _own(user=user, watch=watch)
    watch.delete()
