"""Shared bases of the administrators' pages: a filtered table, a form backed by a service, a POST button."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin


class FilteredTableView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """A list page: one FilterSet over a selector's queryset, shown as one Table, 50 rows a page."""

    table_pagination = {"per_page": 50}


class ServiceFormView(PermissionRequiredMixin, FormView):
    """An add or edit form whose service may refuse with a ValidationError, shown back on the form."""

    list_url_name: str  # the list the page's breadcrumb and Cancel lead back to

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "list_url": reverse(self.list_url_name)}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            result = self.save(form)
        except ValidationError as exc:
            self.add_errors(form, exc)
            return self.form_invalid(form)
        return self.saved(result)

    def save(self, form: forms.Form) -> Any:
        """Call the service with the form's data; what it returns goes to `saved()`."""
        raise NotImplementedError

    def saved(self, result: Any) -> HttpResponse:
        """Say what was done and where to go next."""
        raise NotImplementedError

    def add_errors(self, form: forms.Form, exc: ValidationError) -> None:
        """Put the service's refusal on the form; by default above its fields."""
        form.add_error(None, exc)


class ObjectFormView(ServiceFormView):
    """An edit form of one object found by the URL's `pk` (404 if there is none)."""

    model: type[Model]
    form_object_kwarg = "instance"  # the keyword the form takes the object by
    context_object_name: str  # the name the template knows the object by

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), self.form_object_kwarg: self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # `object` for the shared form template, the page's own name for the page's template.
        return {**super().get_context_data(**kwargs), "object": self.object, self.context_object_name: self.object}


def saved_message(request: HttpRequest, *, changed: bool, text: str) -> None:
    """Say an edit was saved, or that nothing was, since no field changed."""
    if changed:
        messages.success(request, text)
    else:
        messages.info(request, _("Nothing to save: no field changed."))


class ObjectActionView(PermissionRequiredMixin, View):
    """A POST-only button on one object found by the URL's `pk` (activate, test, unlock)."""

    model: type[Model]
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.act(request, self.get_object(request, pk))

    def get_object(self, request: HttpRequest, pk: int) -> Any:
        """The object the button acts on (404 when there is none the person may act on)."""
        return get_object_or_404(self.model, pk=pk)

    def act(self, request: HttpRequest, obj: Any) -> HttpResponse:
        """Do what the button says to `obj` and redirect."""
        raise NotImplementedError


class SetActiveView(ObjectActionView):
    """POST `active=1` or `active=0` on one object, then back to its list, saying what changed."""

    list_url_name: str

    def act(self, request: HttpRequest, obj: Any) -> HttpResponse:
        active = request.POST.get("active") == "1"
        try:
            changed = self.set_active(obj, active=active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.list_url_name)
        if changed:
            messages.success(request, self.done_message(obj, active=active))
        return redirect(self.list_url_name)

    def set_active(self, obj: Any, *, active: bool) -> bool:
        """Call the service; True when the object's state changed."""
        raise NotImplementedError

    def done_message(self, obj: Any, *, active: bool) -> str:
        """What to say once the object was activated or deactivated."""
        raise NotImplementedError
