"""Forms for the admin pages: connections (write-only API key) and users with their role."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models.connections import DEFAULT_PAGE_SIZE, Connection
from .services.connections.writes import (
    PAGE_SIZE_RANGE,
    TIMEOUT_RANGE,
    connection_base_url_clean,
    connection_key_check,
)
from .services.users import ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, VIEWER


class ConnectionForm(forms.ModelForm):
    """A connection's settings. The API key is write-only: never rendered back, replaced only when typed."""

    base_url = forms.CharField(
        label=_("Base URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The address eTelecom gave you, e.g. https://api.etelecom.vn/v1/partner."),
    )
    # Not a model field of the form (see Meta.fields), so its stored value never reaches `initial`.
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=4096,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}),
    )
    page_size = forms.IntegerField(
        label=_("Page size"),
        min_value=PAGE_SIZE_RANGE[0],
        max_value=PAGE_SIZE_RANGE[1],
        initial=DEFAULT_PAGE_SIZE,
        help_text=_("Hotlines asked for per call (at most 1,000)."),
    )
    timeout = forms.FloatField(
        label=_("Timeout (seconds)"),
        min_value=TIMEOUT_RANGE[0],
        max_value=TIMEOUT_RANGE[1],
        initial=30,
        help_text=_("How long to wait for each answer from eTelecom."),
    )

    field_order = ["name", "base_url", "api_key", "page_size", "timeout", "is_active"]

    class Meta:
        model = Connection
        fields = ["name", "base_url", "page_size", "timeout"]
        labels = {"name": _("Name")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["api_key"].help_text = _(
                "Stored encrypted; ends in %(last4)s. Leave empty to keep it, or type a new key to replace it."
            ) % {"last4": self.instance.masked_api_key}
        else:
            self.fields["api_key"].required = True
            self.fields["api_key"].help_text = _("Stored encrypted and never shown again.")

    def clean_base_url(self) -> str:
        return connection_base_url_clean(self.cleaned_data["base_url"])

    def clean_api_key(self) -> str:
        # Empty on an edit means "keep the stored key"; the service then leaves it alone.
        return self.cleaned_data.get("api_key", "").strip()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "base_url" in cleaned and "api_key" in cleaned:
            # The service's rule, asked early so the error shows next to the key (the admin cannot
            # show an error raised while saving). `instance` still holds the stored values here:
            # the posted ones reach it after clean().
            try:
                connection_key_check(connection=self.instance, base_url=cleaned["base_url"], api_key=cleaned["api_key"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class ConnectionAdminForm(ConnectionForm):
    """The same form for the Django admin, with the active switch. An empty key keeps the stored one
    (the service's rule), so a base URL on another server needs the key typed again here too."""

    class Meta(ConnectionForm.Meta):
        fields = [*ConnectionForm.Meta.fields, "is_active"]


def _role_choices() -> list[tuple[str, str]]:
    return [("", _("No role (cannot see anything)"))] + [
        (role, f"{ROLE_LABELS[role]} — {ROLE_DESCRIPTIONS[role]}") for role in ROLES
    ]


class _UserFormBase(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices, required=False, widget=forms.RadioSelect)
    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    @property
    def roles(self) -> list[str]:
        role = self.cleaned_data.get("role")
        return [role] if role else []


class UserCreateForm(_UserFormBase):
    """A new user: name, contact, role and a first password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    field_order = ["username", "first_name", "last_name", "email", "role", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = True
        self.fields["password2"].required = True
        # Most people added are there to browse; "No role" stays one click away for the rare account
        # that must exist before it may see anything.
        self.fields["role"].initial = VIEWER

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with this name already exists."))
        return username


class UserUpdateForm(_UserFormBase):
    """An existing user: details, role, active, and optionally a new password."""

    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Inactive users cannot sign in; their history is kept.")
    )
    field_order = ["first_name", "last_name", "email", "role", "is_active", "password1", "password2"]

    def __init__(self, *args, user, **kwargs) -> None:
        roles = set(user.groups.values_list("name", flat=True))
        highest = next((role for role in reversed(ROLES) if role in roles), "")
        stored = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "role": highest,
        }
        # FormView always passes `initial` (an empty dict by default): the stored values are the
        # base and anything the caller gives overrides them, so the page opens with the user's
        # values and `changed_data` names only what the person changed.
        kwargs["initial"] = {**stored, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password1"].label = _("New password")
        self.fields["password1"].help_text = _("Leave empty to keep the current password.")
        self.fields["password2"].label = _("New password again")
