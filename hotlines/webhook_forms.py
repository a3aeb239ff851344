"""The webhook form of the administrators' pages: name, URL, which watches, failure limit, and
on add an optional secret (empty: one is generated). The secret is never rendered back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Webhook
from .selectors.webhooks import watch_choices
from .services.webhooks.addresses import MAX_URL_LENGTH, webhook_url_clean
from .services.webhooks.signing import MAX_SECRET_LENGTH
from .services.webhooks.writes import FAILURE_LIMIT_RANGE, webhook_secret_clean


class WebhookForm(forms.Form):
    """A webhook's settings; `webhook` given, the form opens with its stored values."""

    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Where the changes are posted: https, or http only to this machine (127.0.0.1, localhost)."),
    )
    watches = forms.TypedMultipleChoiceField(
        label=_("Watches"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Whose watches this webhook receives, shown as person: view or hotline."),
    )
    failure_limit = forms.IntegerField(
        label=_("Failures before disabling"),
        min_value=FAILURE_LIMIT_RANGE[0],
        max_value=FAILURE_LIMIT_RANGE[1],
        initial=10,
        help_text=_("Deliveries in a row that fail (after all their tries) before the webhook is disabled."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=MAX_SECRET_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}),
        help_text=_("Leave empty to generate one. It is shown once after saving, then never again."),
    )

    def __init__(self, *args, webhook: Webhook | None = None, **kwargs) -> None:
        if webhook is not None:
            stored = {
                "name": webhook.name,
                "url": webhook.url,
                "watches": list(webhook.watches.values_list("pk", flat=True)),
                "failure_limit": webhook.failure_limit,
            }
            kwargs["initial"] = {**stored, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.webhook = webhook
        self.fields["watches"].choices = watch_choices()
        if webhook is not None:
            # On an edit the secret changes only by "Rotate secret".
            del self.fields["secret"]

    def clean_url(self) -> str:
        return webhook_url_clean(self.cleaned_data["url"])

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        return webhook_secret_clean(secret) if secret else ""
