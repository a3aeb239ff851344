"""What the hotline list shows of saved views, built once per request beside `hotline_list_page`:
the open view (`?view=<pk>`, when the person may see it) and what they may do with it, the Views
menu with each view's live count (cached per data version), and a note when the asked view cannot
be shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from .ids import id_parse
from .listing import VIEW_PARAM, list_url
from .models import SavedView, Watch
from .selectors.counts import data_version
from .selectors.saved_views import saved_view_counts, saved_view_get, saved_view_visible, watch_of
from .services import saved_views as services

MENU_MAX = 50  # views listed in the list's menu (the Views page lists them all)


def view_url(view: SavedView) -> str:
    """The list showing a view: its query, and its ID so the list shows its name, columns and bar."""
    query = QueryDict(view.query, mutable=True)
    query[VIEW_PARAM] = str(view.pk)
    return list_url(query)


@dataclass
class ListViews:
    """What the hotline list shows of saved views: the open one (and what the person may do with
    it), the Views menu with live counts, and a note when the asked view cannot be shown."""

    open: SavedView | None = None
    menu: list[tuple[SavedView, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    can_edit: bool = False
    can_delete: bool = False
    can_share: bool = False
    pinned: bool = False
    watch: Watch | None = None


def list_views(*, user, raw: str | None, version: str | None = None) -> ListViews:
    """The list's saved-view state for one request (counts from the per-version cache of the data
    `version`, read here unless the caller has it already)."""
    version = version or data_version()
    visible = list(saved_view_visible(user=user).select_related("owner")[:MENU_MAX])
    counts = saved_view_counts(visible, version=version)
    state = ListViews(
        menu=[(view, counts[view.pk], view_url(view)) for view in visible],
        can_share=user.has_perm(services.SHARE_PERMISSION),
    )
    if not raw:
        return state
    parsed = id_parse(raw)
    try:
        # Usually among the menu's views already (no second query for it).
        view = next((view for view in visible if view.pk == parsed), None) or saved_view_get(user=user, pk=raw)
    except SavedView.DoesNotExist:
        state.notes.append(_("The saved view asked for does not exist, or is not shared with you."))
        return state
    state.open = view
    state.can_edit = services.saved_view_can_edit(user=user, view=view)
    state.can_delete = services.saved_view_can_delete(user=user, view=view)
    state.pinned = view.pins.filter(user_id=user.pk).exists()
    state.watch = watch_of(user=user, view=view)
    return state
