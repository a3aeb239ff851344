"""The Webhooks pages (administrators): list, add, edit, delete, activate or deactivate, send a
test, rotate the secret (shown once), and each webhook's delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django_tables2 import SingleTableView

from ..fields import decrypt, encrypt
from ..models import Webhook
from ..selectors.webhooks import webhook_deliveries, webhook_list
from ..services.webhooks.deliveries import delivery_requeue_waiting, delivery_test
from ..services.webhooks.writes import (
    webhook_create,
    webhook_delete,
    webhook_secret_rotate,
    webhook_set_active,
    webhook_update,
)
from ..tables.webhooks import WebhookDeliveryTable, WebhookTable
from ..webhook_forms import WebhookForm
from .manage import ObjectActionView, ObjectFormView, ServiceFormView, SetActiveView, saved_message

sensitive_secret = method_decorator(sensitive_post_parameters("secret"), name="dispatch")
# The session key of a secret waiting to be shown once (encrypted like the stored one).
SHOW_ONCE = "webhook-secret-{pk}"


def _show_once(request: HttpRequest, webhook: Webhook, secret: str) -> HttpResponse:
    """Keep the secret for the very next page only, and go there (a reload then shows it no more)."""
    request.session[SHOW_ONCE.format(pk=webhook.pk)] = encrypt(secret)
    return redirect("hotlines:webhook-secret", pk=webhook.pk)


class WebhookListView(PermissionRequiredMixin, SingleTableView):
    permission_required = "hotlines.view_webhook"
    template_name = "hotlines/webhooks/list.html"
    table_class = WebhookTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return webhook_list()


@sensitive_secret
class WebhookCreateView(ServiceFormView):
    permission_required = "hotlines.add_webhook"
    template_name = "hotlines/webhooks/form.html"
    list_url_name = "hotlines:webhook-list"
    form_class = WebhookForm

    def save(self, form):
        return webhook_create(**form.cleaned_data, request=self.request)

    def saved(self, result):
        webhook, secret = result
        messages.success(self.request, _("Webhook “%(name)s” added.") % {"name": webhook.name})
        return _show_once(self.request, webhook, secret)

    def add_errors(self, form, exc):
        for field, errors in exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc)]:
            form.add_error(field if field in form.fields else None, errors)


class WebhookUpdateView(ObjectFormView):
    permission_required = "hotlines.change_webhook"
    template_name = "hotlines/webhooks/form.html"
    list_url_name = "hotlines:webhook-list"
    form_class = WebhookForm
    model = Webhook
    form_object_kwarg = "webhook"
    context_object_name = "webhook"

    def save(self, form):
        return webhook_update(webhook=self.object, **form.cleaned_data, request=self.request)

    def saved(self, result):
        self.object.refresh_from_db()
        saved_message(
            self.request, changed=bool(result), text=_("Webhook “%(name)s” saved.") % {"name": self.object.name}
        )
        return redirect("hotlines:webhook-list")

    add_errors = WebhookCreateView.add_errors


@method_decorator(never_cache, name="dispatch")
class WebhookSecretView(PermissionRequiredMixin, TemplateView):
    """The secret just made, shown once: the session forgets it as this page is rendered."""

    permission_required = "hotlines.change_webhook"
    template_name = "hotlines/webhooks/secret.html"

    def get_context_data(self, **kwargs):
        webhook = get_object_or_404(Webhook, pk=kwargs["pk"])
        token = self.request.session.pop(SHOW_ONCE.format(pk=webhook.pk), None)
        try:
            secret = decrypt(token) if isinstance(token, str) else ""
        except ImproperlyConfigured:  # a token from before a key rotation: simply not shown
            secret = ""
        return {**super().get_context_data(**kwargs), "webhook": webhook, "secret": secret}


class WebhookDeleteView(PermissionRequiredMixin, TemplateView):
    """GET: what deleting takes with it; POST: delete."""

    permission_required = "hotlines.delete_webhook"
    template_name = "hotlines/webhooks/delete.html"

    def get_context_data(self, **kwargs):
        webhook = get_object_or_404(Webhook, pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "webhook": webhook, "deliveries": webhook.deliveries.count()}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        webhook = get_object_or_404(Webhook, pk=pk)
        webhook_delete(webhook=webhook, request=request)
        messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": webhook.name})
        return redirect("hotlines:webhook-list")


class WebhookActiveView(SetActiveView):
    """POST `active=1` or `active=0`; activating starts the failure count afresh and sends what waited."""

    permission_required = "hotlines.change_webhook"
    model = Webhook
    list_url_name = "hotlines:webhook-list"

    def set_active(self, obj, *, active):
        changed = webhook_set_active(webhook=obj, is_active=active, request=self.request)
        if changed and active:
            delivery_requeue_waiting(webhook=obj)
        return changed

    def done_message(self, obj, *, active):
        text = _("Webhook “%(name)s” is active again.") if active else _("Webhook “%(name)s” deactivated.")
        return text % {"name": obj.name}


class WebhookTestView(ObjectActionView):
    """POST: queue a `webhook.test` delivery and show the log, where it appears."""

    permission_required = "hotlines.change_webhook"
    model = Webhook

    def act(self, request, obj):
        delivery_test(webhook=obj, actor=request.user)
        messages.success(request, _("Test queued for “%(name)s”: its delivery shows below.") % {"name": obj.name})
        return redirect("hotlines:webhook-deliveries", pk=obj.pk)


@sensitive_secret
class WebhookRotateView(ObjectActionView):
    """POST: replace the signing secret with a new one (generated), shown once."""

    permission_required = "hotlines.change_webhook"
    model = Webhook

    def act(self, request, obj):
        secret = webhook_secret_rotate(webhook=obj, request=request)
        messages.success(request, _("Webhook “%(name)s” has a new secret.") % {"name": obj.name})
        return _show_once(request, obj, secret)


class WebhookDeliveryListView(PermissionRequiredMixin, SingleTableView):
    """One webhook's delivery log, newest first."""

    permission_required = "hotlines.view_webhook"
    template_name = "hotlines/webhooks/deliveries.html"
    table_class = WebhookDeliveryTable
    table_pagination = {"per_page": 50}

    def dispatch(self, request, *args, **kwargs):
        self.webhook = get_object_or_404(Webhook, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return webhook_deliveries(webhook=self.webhook)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "webhook": self.webhook,
            "list_url": reverse("hotlines:webhook-list"),
        }
