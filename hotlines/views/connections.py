"""The Connections pages (administrators): list, add, edit, deactivate and test eTelecom connections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, ListView

from .. import selectors
from ..forms import ConnectionForm
from ..models import Connection
from ..services.connections import connection_create, connection_set_active, connection_test, connection_update

# The key must not reach error reports (ADMINS mail, Sentry) through a crash while it is posted.
sensitive_key = method_decorator(sensitive_post_parameters("api_key"), name="dispatch")


def _report_test(request, connection: Connection) -> None:
    result = connection_test(connection=connection, request=request)
    if result.ok:
        messages.success(request, f"{connection.name}: {result.message}")
    else:
        messages.error(request, f"{connection.name}: {result.message} ({result.detail})")


class ConnectionListView(PermissionRequiredMixin, ListView):
    permission_required = "hotlines.view_connection"
    template_name = "hotlines/connections/list.html"
    context_object_name = "connections"

    def get_queryset(self):
        return selectors.connection_list()


@sensitive_key
class ConnectionCreateView(PermissionRequiredMixin, FormView):
    permission_required = "hotlines.add_connection"
    template_name = "hotlines/connections/form.html"
    form_class = ConnectionForm

    def form_valid(self, form):
        try:
            connection = connection_create(**form.cleaned_data, request=self.request)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Connection “%(name)s” added.") % {"name": connection.name})
        if "test" in self.request.POST:
            _report_test(self.request, connection)
        return redirect("hotlines:connection-list")


@sensitive_key
class ConnectionUpdateView(PermissionRequiredMixin, FormView):
    permission_required = "hotlines.change_connection"
    template_name = "hotlines/connections/form.html"
    form_class = ConnectionForm

    def dispatch(self, request, *args, **kwargs):
        self.connection = get_object_or_404(Connection, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.connection}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["connection"] = self.connection
        context["activity"] = selectors.connection_activity(connection=self.connection)
        return context

    def form_valid(self, form):
        try:
            changed = connection_update(connection=self.connection, **form.cleaned_data, request=self.request)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        self.connection.refresh_from_db()
        if changed:
            messages.success(self.request, _("Connection “%(name)s” saved.") % {"name": self.connection.name})
        else:
            messages.info(self.request, _("Nothing to save: no field changed."))
        if "test" in self.request.POST:
            _report_test(self.request, self.connection)
        return redirect("hotlines:connection-list")


class ConnectionActiveView(PermissionRequiredMixin, View):
    """POST `active=1` or `active=0`: inactive connections are kept but no longer synced."""

    permission_required = "hotlines.change_connection"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        connection = get_object_or_404(Connection, pk=pk)
        active = request.POST.get("active") == "1"
        if connection_set_active(connection=connection, is_active=active, request=request):
            text = _("Connection “%(name)s” is active again.") if active else _("Connection “%(name)s” deactivated.")
            messages.success(request, text % {"name": connection.name})
        return redirect("hotlines:connection-list")


class ConnectionTestView(PermissionRequiredMixin, View):
    """POST: ask eTelecom for a small page with the stored URL and key, and report how it went."""

    permission_required = "hotlines.change_connection"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        connection = get_object_or_404(Connection, pk=pk)
        _report_test(request, connection)
        back = request.POST.get("next")
        edit = reverse("hotlines:connection-edit", args=[pk])
        return redirect(edit if back == "edit" else "hotlines:connection-list")
