"""The Connections pages (administrators): list, add, edit, deactivate and test eTelecom connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import ListView

from .. import selectors
from ..forms import ConnectionForm
from ..models import Connection
from ..services.connections.probe import ConnectionTestOutcome, ConnectionTestResult, connection_test
from ..services.connections.writes import connection_create, connection_set_active, connection_update
from .manage import ObjectActionView, ObjectFormView, ServiceFormView, SetActiveView, saved_message

# The key must not reach error reports (ADMINS mail, Sentry) through a crash while it is posted.
sensitive_key = method_decorator(sensitive_post_parameters("api_key"), name="dispatch")

# Short names of the test outcomes for badges (the service's messages start with the same words).
OUTCOME_LABELS = {
    ConnectionTestOutcome.OK: gettext_lazy("Connected"),
    ConnectionTestOutcome.KEY_REJECTED: gettext_lazy("Key rejected"),
    ConnectionTestOutcome.UNREACHABLE: gettext_lazy("Host unreachable"),
    ConnectionTestOutcome.TLS_ERROR: gettext_lazy("TLS error"),
    ConnectionTestOutcome.TIMEOUT: gettext_lazy("Timed out"),
    ConnectionTestOutcome.NOT_ETELECOM: gettext_lazy("Not an eTelecom API"),
    ConnectionTestOutcome.RATE_LIMITED: gettext_lazy("Rate limited"),
    ConnectionTestOutcome.SERVER_ERROR: gettext_lazy("Server error"),
    ConnectionTestOutcome.REFUSED: gettext_lazy("Refused"),
}


def outcome_label(outcome: str) -> str:
    """The badge text of a test outcome; an unknown code (an older release's) reads "Failed"."""
    return OUTCOME_LABELS.get(outcome) or gettext_lazy("Failed")


@dataclass(frozen=True, slots=True)
class LastTest:
    """A connection's last "Test connection", as its row on the Connections page shows it."""

    at: datetime
    outcome: str
    count: int
    ms: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome == ConnectionTestOutcome.OK

    @property
    def label(self) -> str:
        return outcome_label(self.outcome)

    @classmethod
    def of(cls, connection: Connection) -> LastTest | None:
        """From the annotations of `selectors.connection_list()`; None when it was never tested."""
        details = getattr(connection, "last_test_details", None)
        if not connection.last_test_at or not isinstance(details, dict):
            return None
        return cls(
            at=connection.last_test_at,
            outcome=str(details.get("outcome") or ""),
            count=_int(details.get("count")),
            ms=_int(details.get("ms")),
            detail=str(details.get("error") or ""),
        )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _row_url(connection: Connection) -> str:
    return f"{reverse('hotlines:connection-list')}#connection-{connection.pk}"


def _run_test(request: HttpRequest, connection: Connection) -> ConnectionTestResult:
    """Test the connection and say how it went once: the diagnosis, never the upstream detail again.

    The upstream detail (status code, eTelecom's own words) is kept by the audit entry and shown on
    the connection's row under "Technical detail", where it does not repeat the diagnosis.
    """
    result = connection_test(connection=connection, request=request)
    values = {"name": connection.name, "message": result.message}
    if result.ok:
        messages.success(request, _("%(name)s: %(message)s") % values)
    elif connection.is_active:
        # Said outright: the row's "Active" badge next to a failed test could read as "all is well".
        messages.error(request, _("%(name)s: %(message)s It is still active, so its syncs may fail too.") % values)
    else:
        messages.error(request, _("%(name)s: %(message)s") % values)
    return result


class ConnectionListView(PermissionRequiredMixin, ListView):
    permission_required = "hotlines.view_connection"
    template_name = "hotlines/connections/list.html"
    context_object_name = "connections"

    def get_queryset(self):
        return selectors.connection_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for connection in context["connections"]:
            connection.last_test = LastTest.of(connection)
        return context


@sensitive_key
class ConnectionCreateView(ServiceFormView):
    permission_required = "hotlines.add_connection"
    template_name = "hotlines/connections/form.html"
    list_url_name = "hotlines:connection-list"
    form_class = ConnectionForm

    def save(self, form):
        return connection_create(**form.cleaned_data, request=self.request)

    def saved(self, result):
        if "test" not in self.request.POST:
            messages.success(self.request, _("Connection “%(name)s” added.") % {"name": result.name})
            return redirect("hotlines:connection-list")
        return self._test_new(result)

    def _test_new(self, connection: Connection) -> HttpResponseRedirect:
        """Test a connection just added; one that fails is kept but left inactive.

        Nothing syncs a connection that has never worked (every scheduled sync would fail and alarm
        people), and nothing is lost: the settings stay, and "Activate" on its row turns it on.
        """
        result = connection_test(connection=connection, request=self.request)
        if result.ok:
            messages.success(self.request, _("Connection “%(name)s” added.") % {"name": connection.name})
            messages.success(
                self.request, _("%(name)s: %(message)s") % {"name": connection.name, "message": result.message}
            )
        else:
            connection_set_active(connection=connection, is_active=False, request=self.request)
            text = _(
                "Connection “%(name)s” saved but left inactive because its test failed. %(message)s "
                "Correct it and test again, or activate it from its row."
            )
            messages.error(self.request, text % {"name": connection.name, "message": result.message})
        return redirect(_row_url(connection))


@sensitive_key
class ConnectionUpdateView(ObjectFormView):
    permission_required = "hotlines.change_connection"
    template_name = "hotlines/connections/form.html"
    list_url_name = "hotlines:connection-list"
    form_class = ConnectionForm
    model = Connection
    context_object_name = "connection"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = activity = selectors.connection_activity(connection=self.object)
        for entry in activity:
            outcome = entry.details.get("outcome") if isinstance(entry.details, dict) else None
            entry.outcome_label = outcome_label(outcome) if outcome else ""
        return context

    def save(self, form):
        return connection_update(connection=self.object, **form.cleaned_data, request=self.request)

    def saved(self, result):
        self.object.refresh_from_db()
        text = _("Connection “%(name)s” saved.") % {"name": self.object.name}
        saved_message(self.request, changed=result, text=text)
        if "test" in self.request.POST:
            _run_test(self.request, self.object)
            return redirect(_row_url(self.object))
        return redirect("hotlines:connection-list")


class ConnectionActiveView(SetActiveView):
    """POST `active=1` or `active=0`: inactive connections are kept but no longer synced."""

    permission_required = "hotlines.change_connection"
    model = Connection
    list_url_name = "hotlines:connection-list"

    def set_active(self, obj, *, active):
        return connection_set_active(connection=obj, is_active=active, request=self.request)

    def done_message(self, obj, *, active):
        text = _("Connection “%(name)s” is active again.") if active else _("Connection “%(name)s” deactivated.")
        return text % {"name": obj.name}


class ConnectionTestView(ObjectActionView):
    """POST: ask eTelecom for a small page with the stored URL and key, and report how it went."""

    permission_required = "hotlines.change_connection"
    model = Connection

    def act(self, request, obj):
        _run_test(request, obj)
        if request.POST.get("next") == "edit":
            return redirect("hotlines:connection-edit", pk=obj.pk)
        return redirect(_row_url(obj))
