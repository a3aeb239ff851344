"""Writes of saved views: save the list's state under a name, update it, rename, share or unshare,
delete, pin to the home page. Who may do what is decided here (views only call)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from ..columns import columns_resolve
from ..listing import list_request
from ..models import SavedView, SavedViewPin, Watch

NAME_MAX = 100  # SavedView.name's max_length
QUERY_MAX = 4000  # a canonical query is far shorter; a longer one is junk, not a view
SHARE_PERMISSION = "hotlines.share_savedview"
# The list's paging and the open view itself are not part of a view's state.
NOT_STATE = ("page", "per_page", "view")


def saved_view_can_see(*, user, view: SavedView) -> bool:
    """Everyone who may browse sees shared views; a private one only its owner."""
    return view.shared or view.owner_id == user.pk


def saved_view_can_edit(*, user, view: SavedView) -> bool:
    """Owners edit their own views; Administrators (change_savedview) anyone's shared one."""
    return view.owner_id == user.pk or (view.shared and user.has_perm("hotlines.change_savedview"))


def saved_view_can_delete(*, user, view: SavedView) -> bool:
    """Owners delete their own views; Administrators (delete_savedview) anyone's shared one."""
    return view.owner_id == user.pk or (view.shared and user.has_perm("hotlines.delete_savedview"))


def saved_view_query(query: QueryDict) -> str:
    """The list's canonical query for a view: usable filters, search and sort, no paging. Junk
    (unknown parameters, values the list cannot use) is dropped exactly as the list drops it."""
    canonical = list_request(query).canonical()
    for key in NOT_STATE:
        canonical.pop(key, None)
    encoded = canonical.urlencode()
    if len(encoded) > QUERY_MAX:
        raise ValidationError(_("This view’s filters are too long to save."), code="query_too_long")
    return encoded


def saved_view_name_clean(name: str) -> str:
    """A name as shown: spaces collapsed, no control or bidi-override characters, 1 to 100 characters."""
    # NFC: a name typed with combining accents (macOS, some Vietnamese keyboards) is the same name.
    text = unicodedata.normalize("NFC", str(name))
    cleaned = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise ValidationError(_("Give the view a name."), code="name_required")
    if len(cleaned) > NAME_MAX:
        raise ValidationError(
            _("A view’s name has at most %(max)s characters.") % {"max": NAME_MAX}, code="name_too_long"
        )
    return cleaned


def _name_free(*, owner_id: int, name: str, exclude: int | None = None) -> None:
    taken = SavedView.objects.filter(owner_id=owner_id, name__iexact=name).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(_("There is already a view named “%(name)s”.") % {"name": name}, code="name_taken")


def _columns(columns: list[str] | None) -> list[str]:
    return columns_resolve(columns) if columns else []


@transaction.atomic
def saved_view_create(
    *, user, name: str, query: QueryDict, columns: list[str] | None = None, shared: bool = False
) -> SavedView:
    """Save the list's state (`query`, the visible `columns`) under `name` for `user`."""
    if shared and not user.has_perm(SHARE_PERMISSION):
        raise PermissionDenied(_("You may not share views."))
    name = saved_view_name_clean(name)
    _name_free(owner_id=user.pk, name=name)
    view = SavedView(owner=user, name=name, shared=shared, query=saved_view_query(query), columns=_columns(columns))
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:  # the same name saved at the same moment
        raise ValidationError(_("There is already a view named “%(name)s”.") % {"name": name}) from exc
    return view


@dataclass(frozen=True, slots=True)
class SavedViewChange:
    """What an edit did: the fields it changed, and the other people's watches and pins removed
    because the view stopped being shared."""

    view: SavedView
    changed: list[str]
    watches_removed: int = 0
    pins_removed: int = 0


UNSET = object()


@transaction.atomic
def saved_view_update(
    *, user, view: SavedView, name=UNSET, shared=UNSET, query: QueryDict | object = UNSET, columns=UNSET
) -> SavedViewChange:
    """Change only what is given (a rename keeps the address); unsharing removes other people's
    watches and pins of the view (they may no longer see it)."""
    if not saved_view_can_edit(user=user, view=view):
        raise PermissionDenied(_("You may not change this view."))
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    changed: list[str] = []
    if name is not UNSET:
        name = saved_view_name_clean(name)
        if name != view.name:
            if name.casefold() != view.name.casefold():
                _name_free(owner_id=view.owner_id, name=name, exclude=view.pk)
            view.name = name
            changed.append("name")
    if shared is not UNSET and bool(shared) != view.shared:
        if shared and not user.has_perm(SHARE_PERMISSION):
            raise PermissionDenied(_("You may not share views."))
        view.shared = bool(shared)
        changed.append("shared")
    if query is not UNSET:
        encoded = saved_view_query(query)
        if encoded != view.query:
            view.query = encoded
            changed.append("query")
    if columns is not UNSET:
        resolved = _columns(columns)
        if resolved != view.columns:
            view.columns = resolved
            changed.append("columns")
    watches = pins = 0
    if changed:
        try:
            with transaction.atomic():
                view.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as exc:
            raise ValidationError(_("There is already a view named “%(name)s”.") % {"name": view.name}) from exc
        if "shared" in changed and not view.shared:
            watches, _kinds = Watch.objects.filter(view=view).exclude(user_id=view.owner_id).delete()
            pins, _kinds = SavedViewPin.objects.filter(view=view).exclude(user_id=view.owner_id).delete()
    return SavedViewChange(view=view, changed=changed, watches_removed=watches, pins_removed=pins)


def saved_view_others_watching(*, view: SavedView) -> int:
    """How many other people watch the view (what unsharing it would remove)."""
    return Watch.objects.filter(view=view).exclude(user_id=view.owner_id).count()


@transaction.atomic
def saved_view_delete(*, user, view: SavedView) -> None:
    """Delete a view, with its pins and watches (notifications already sent stay, by their subject)."""
    if not saved_view_can_delete(user=user, view=view):
        raise PermissionDenied(_("You may not delete this view."))
    view.delete()


def saved_view_pin(*, user, view: SavedView, pinned: bool) -> bool:
    """Pin the view to (or take it off) the person's home page; True when that changed something."""
    if pinned and not saved_view_can_see(user=user, view=view):
        raise PermissionDenied(_("You may not see this view."))
    if not pinned:
        deleted, _kinds = SavedViewPin.objects.filter(user=user, view=view).delete()
        return bool(deleted)
    try:
        with transaction.atomic():
            _pin, created = SavedViewPin.objects.get_or_create(user=user, view=view)
    except IntegrityError:  # pinned at the same moment elsewhere
        return False
    return created
