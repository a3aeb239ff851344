"""Django's own strings that its Vietnamese catalogue lacks, marked here so that `make messages`
keeps them in ours (our catalogue comes first): "5 minutes ago" on every page's freshness line."""

from django.utils.translation import ngettext_lazy

TIME_STRINGS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)
