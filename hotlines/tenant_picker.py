"""The hotline list's tenant picker: the chosen tenants (always listed, ticked) and the few that
match what was typed, never a select of every tenant (a partner can have thousands). The list
page builds it with the filters; `/tenants/options/` rebuilds it as a person types (htmx)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Tenant
from .selectors.tenant_lookup import OPTIONS_LIMIT, tenant_options

TEXT_MAX = 100  # characters of a picker search kept


@dataclass(frozen=True, slots=True)
class TenantPicker:
    """What the picker shows: the chosen tenants, then up to `limit` others matching `text`."""

    chosen: list[Tenant]
    matches: list[Tenant]
    text: str
    limit: int = OPTIONS_LIMIT

    @property
    def full(self) -> bool:
        """As many matches as the picker shows: there may be more (type more of the name)."""
        return len(self.matches) >= self.limit


def tenant_picker(*, chosen: list[Tenant], text: str | None) -> TenantPicker:
    """The picker for these chosen tenants and this search (one query, none without a search)."""
    text = " ".join((text or "").replace("\x00", "").split())[:TEXT_MAX]
    matches = tenant_options(text=text, exclude=[tenant.pk for tenant in chosen]) if text else []
    return TenantPicker(chosen=chosen, matches=matches, text=text)
