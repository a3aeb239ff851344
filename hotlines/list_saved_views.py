"""What the hotline list shows of saved views, built once per request beside `hotline_list_page`:
the open view (`?view=<pk>`, when the person may see it) and what they may do with it, the Views
menu with each view's live count (cached per data version), and a note when the asked view cannot
be shown.

The menu's views (names, shared or not, links) are kept per process for each person and saved
views' version (`saved_views_version`, read in `data_version`'s round trip): a list page then
reads no saved view at all, unless one is open. Any view added, deleted or saved anywhere moves
the version, so a menu is never older than the request that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from .listing import VIEW_PARAM, list_url
from .models import SavedView, Watch
from .process_memo import ProcessMemo
from .selectors.counts import data_version
from .selectors.saved_views import (
    saved_view_counts,
    saved_view_get,
    saved_view_visible,
    saved_views_version,
    watch_of,
)
from .services import saved_views as services

MENU_MAX = 50  # views listed in the list's menu (the Views page lists them all)
MENUS_KEPT = 1024  # (person, version) menus kept per process; all dropped when full


@dataclass(frozen=True, slots=True)
class MenuView:
    """A view as the Views menu lists it."""

    pk: int
    name: str
    shared: bool
    query: str
    url: str


_menus: ProcessMemo[tuple[int, str], tuple[MenuView, ...]] = ProcessMemo(MENUS_KEPT)


def list_menus_clear() -> None:
    """Forget the kept menus (tests: each starts as a new process would)."""
    _menus.clear()


def _menu(user) -> tuple[MenuView, ...]:
    """The views the person may see, by name, the first MENU_MAX: kept per saved views' version."""

    def read() -> tuple[MenuView, ...]:
        views = saved_view_visible(user=user).only("id", "name", "shared", "query")[:MENU_MAX]
        return tuple(MenuView(view.pk, view.name, view.shared, view.query, view_url(view)) for view in views)

    return _menus.get_or_make((user.pk, saved_views_version()), read)


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
    menu: list[tuple[MenuView, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    can_edit: bool = False
    can_delete: bool = False
    can_share: bool = False
    pinned: bool = False
    watch: Watch | None = None


def list_views(*, user, raw: str | None, version: str | None = None) -> ListViews:
    """The list's saved-view state for one request (counts from the per-version cache of the data
    `version`, read here unless the caller has it already)."""
    version = version or data_version()  # first: it reads the saved views' version too
    menu = _menu(user)
    counts = saved_view_counts(menu, version=version)
    state = ListViews(
        menu=[(view, counts[view.pk], view.url) for view in menu],
        can_share=user.has_perm(services.SHARE_PERMISSION),
    )
    if not raw:
        return state
    try:
        view = saved_view_get(user=user, pk=raw)
    except SavedView.DoesNotExist:
        state.notes.append(_("The saved view asked for does not exist, or is not shared with you."))
        return state
    state.open = view
    state.can_edit = services.saved_view_can_edit(user=user, view=view)
    state.can_delete = services.saved_view_can_delete(user=user, view=view)
    state.pinned = view.pins.filter(user_id=user.pk).exists()
    state.watch = watch_of(user=user, view=view)
    return state
