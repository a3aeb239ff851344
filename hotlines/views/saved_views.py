"""Saved views: open one at its stable address, the Views page, save the list's state, rename or
share, update, delete, pin. What the hotline list shows of them is `list_saved_views.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView
from django_tables2 import SingleTableMixin

from ..list_saved_views import view_url
from ..listing import safe_back_query
from ..models import SavedView
from ..saved_view_forms import SavedViewCreateForm, SavedViewForm
from ..selectors.counts import data_version
from ..selectors.saved_views import (
    saved_view_get,
    saved_view_rows,
)
from ..services import saved_views as services
from ..tables.saved_views import SavedViewTable
from .manage import ObjectActionView
from .next_url import next_url

BROWSE = "hotlines.view_hotline"


def _view_or_404(request: HttpRequest, pk) -> SavedView:
    try:
        return saved_view_get(user=request.user, pk=pk)
    except SavedView.DoesNotExist as exc:
        raise Http404(_("No such view.")) from exc


class SavedViewOpenView(PermissionRequiredMixin, View):
    """`/views/<pk>/`: the view's stable address, opening the list in its state."""

    permission_required = BROWSE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(view_url(_view_or_404(request, pk)))


class SavedViewListView(PermissionRequiredMixin, SingleTableMixin, TemplateView):
    """`/views/`: every view the person may see, with its live count, pin and watch."""

    permission_required = BROWSE
    template_name = "hotlines/views/list.html"
    table_class = SavedViewTable
    table_pagination = {"per_page": 50}

    def get_table_data(self):
        return saved_view_rows(user=self.request.user)

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user, "version": data_version()}


class SavedViewCreateView(PermissionRequiredMixin, FormView):
    """Save the list as shown under a name (the list's Views menu posts here; without script, or
    when the name is refused, the form shows on its own page)."""

    permission_required = BROWSE
    template_name = "hotlines/views/form.html"
    form_class = SavedViewCreateForm

    def get_initial(self) -> dict[str, Any]:
        return {"query": safe_back_query(self.request.GET.get("query", ""))}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "can_share": self.request.user.has_perm(services.SHARE_PERMISSION)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        columns = self.request.POST.getlist("columns") or self.request.GET.getlist("columns")
        return {
            **super().get_context_data(**kwargs),
            "columns": columns[:50],
            "creating": True,
            "list_url": reverse("hotlines:view-list"),
        }

    def form_valid(self, form) -> HttpResponse:
        try:
            view = services.saved_view_create(
                user=self.request.user,
                name=form.cleaned_data["name"],
                query=QueryDict(safe_back_query(form.cleaned_data["query"])),
                columns=self.request.POST.getlist("columns")[:50],
                shared=form.cleaned_data.get("shared", False),
            )
        except ValidationError as exc:
            form.add_error("name" if exc.code in ("name_taken", "name_required", "name_too_long") else None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved the view “%(name)s”.") % {"name": view.name})
        return HttpResponseRedirect(view.get_absolute_url())

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SavedViewEditView(PermissionRequiredMixin, FormView):
    """Rename a view or share it (or stop sharing it); only what the person changed is saved."""

    permission_required = BROWSE
    template_name = "hotlines/views/form.html"
    form_class = SavedViewForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(BROWSE):
            return super().dispatch(request, *args, **kwargs)  # sign-in or 403, as every page
        self.object = _view_or_404(request, kwargs["pk"])
        if not services.saved_view_can_edit(user=request.user, view=self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"name": self.object.name, "shared": self.object.shared}

    def get_form_kwargs(self) -> dict[str, Any]:
        can_share = self.request.user.has_perm(services.SHARE_PERMISSION) or self.object.shared
        return {**super().get_form_kwargs(), "can_share": can_share}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        others = services.saved_view_others_watching(view=self.object) if self.object.shared else 0
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
            "others_watching": others,
            "list_url": reverse("hotlines:view-list"),
        }

    def form_valid(self, form) -> HttpResponse:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            result = services.saved_view_update(user=self.request.user, view=self.object, **changes)
        except ValidationError as exc:
            form.add_error("name", exc)
            return self.form_invalid(form)
        if not result.changed:
            messages.info(self.request, _("Nothing to save: no field changed."))
        else:
            messages.success(self.request, _("Saved the view “%(name)s”.") % {"name": result.view.name})
        if result.watches_removed:
            messages.info(
                self.request,
                ngettext(
                    "The view is no longer shared: %(n)s other person’s watch of it was removed.",
                    "The view is no longer shared: %(n)s other people’s watches of it were removed.",
                    result.watches_removed,
                )
                % {"n": result.watches_removed},
            )
        return HttpResponseRedirect(reverse("hotlines:view-list"))

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class _ViewActionView(ObjectActionView):
    """A POST-only button on a view the person may see (404 for another's private view); a rule
    the service refuses is said as a message on the view."""

    permission_required = BROWSE
    model = SavedView

    def get_object(self, request: HttpRequest, pk: int) -> SavedView:
        return _view_or_404(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = self.get_object(request, pk)
        try:
            return self.act(request, view)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(view_url(view))


class SavedViewSaveStateView(_ViewActionView):
    """ "Update view": save the list's current filters, search, sort and columns into the view."""

    def act(self, request: HttpRequest, view: SavedView) -> HttpResponse:
        result = services.saved_view_update(
            user=request.user,
            view=view,
            query=QueryDict(safe_back_query(request.POST.get("query", ""))),
            columns=request.POST.getlist("columns")[:50],
        )
        if result.changed:
            messages.success(request, _("Updated the view “%(name)s”.") % {"name": view.name})
        else:
            messages.info(request, _("The view already shows this."))
        return redirect(view_url(result.view))


class SavedViewDeleteView(PermissionRequiredMixin, TemplateView):
    """Delete a view: a confirmation page (GET), then the POST."""

    permission_required = BROWSE
    template_name = "hotlines/views/delete.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(BROWSE):
            return super().dispatch(request, *args, **kwargs)  # sign-in or 403, as every page
        self.object = _view_or_404(request, kwargs["pk"])
        if not services.saved_view_can_delete(user=request.user, view=self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        watching = self.object.watches.count()
        return {**super().get_context_data(**kwargs), "object": self.object, "watching": watching}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        name = self.object.name
        services.saved_view_delete(user=request.user, view=self.object)
        messages.success(request, _("Deleted the view “%(name)s”.") % {"name": name})
        return redirect("hotlines:view-list")


class SavedViewPinView(_ViewActionView):
    """Pin a view to the home page (`pinned=1`) or take it off (`pinned=0`)."""

    def act(self, request: HttpRequest, view: SavedView) -> HttpResponse:
        pinned = request.POST.get("pinned") == "1"
        if services.saved_view_pin(user=request.user, view=view, pinned=pinned):
            text = _("Pinned “%(name)s” to the overview.") if pinned else _("Unpinned “%(name)s”.")
            messages.success(request, text % {"name": view.name})
        return HttpResponseRedirect(next_url(request, view_url(view)))
