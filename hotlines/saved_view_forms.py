"""The forms of saved views and watches: save the list's state under a name, rename or share a
view, choose how a watch tells its news. They validate shapes; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.saved_views import NAME_MAX, QUERY_MAX

CHANNEL_DASHBOARD, CHANNEL_EMAIL = "dashboard", "email"
CHANNELS = (
    (CHANNEL_DASHBOARD, _("In the dashboard")),
    (CHANNEL_EMAIL, _("In the dashboard and by email")),
)


class SavedViewForm(forms.Form):
    """A view's name and, for those who may share, whether everyone who browses sees it."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX, strip=True)
    shared = forms.BooleanField(
        label=_("Shared with everyone who browses hotlines"),
        required=False,
        help_text=_("Only you see a view that is not shared."),
    )

    def __init__(self, *args, can_share: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class SavedViewCreateForm(SavedViewForm):
    """Save the list as it is shown: its query (without paging) travels hidden, and so do its
    visible columns (read leniently by the view: unknown names are dropped, as the list drops them)."""

    query = forms.CharField(
        required=False,
        max_length=QUERY_MAX * 2,
        widget=forms.HiddenInput,
        error_messages={"max_length": _("This view’s filters are too long to save.")},
    )


class WatchChannelForm(forms.Form):
    """Where a watch tells what changed: the dashboard, or the dashboard and email."""

    channel = forms.ChoiceField(
        label=_("Tell me"), choices=CHANNELS, initial=CHANNEL_DASHBOARD, widget=forms.RadioSelect
    )

    @property
    def email(self) -> bool:
        return self.cleaned_data["channel"] == CHANNEL_EMAIL
