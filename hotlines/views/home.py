"""The home page: how many hotlines, in which state and network, the last sync, the latest changes."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.functional import SimpleLazyObject
from django.views.generic import TemplateView

from .. import charts, selectors
from ..choices import HotlineStatus
from ..selectors.saved_views import saved_view_pins
from ..selectors.tenant_ranking import tenants_most_hotlines, tenants_with_disabled


class HomeView(PermissionRequiredMixin, TemplateView):
    """Totals as charts whose bars link into the filtered list; everything cached per data version."""

    permission_required = "hotlines.view_hotline"
    template_name = "hotlines/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = selectors.data_version()
        totals = selectors.hotline_totals(version=version)
        by_status = totals.by(1)
        context.update(
            version=version,  # the charts' key: they are rendered once per data version and language
            totals=totals,
            # Drawn only when the charts are rendered, not when they were kept (the network's ~1 ms).
            status_bars=SimpleLazyObject(lambda: charts.status_bars(totals)),
            network_bars=SimpleLazyObject(lambda: charts.network_bars(totals)),
            legend=SimpleLazyObject(lambda: charts.status_legend(totals)),
            enabled=by_status.get(HotlineStatus.ENABLED, 0),
            disabled=by_status.get(HotlineStatus.DISABLED, 0),
            new=by_status.get(HotlineStatus.NEW, 0),
            urls={
                "all": charts.list_url(),
                "enabled": charts.list_url(status=HotlineStatus.ENABLED),
                "disabled": charts.list_url(status=HotlineStatus.DISABLED),
                "new": charts.list_url(status=HotlineStatus.NEW),
                "removed": charts.list_url(include_removed="only"),
            },
            changes=selectors.hotline_change_latest(limit=10),
            pins=saved_view_pins(user=self.request.user, version=version),
            top_tenants=[(tenant, charts.list_url(tenant=str(tenant.pk))) for tenant in tenants_most_hotlines()],
            disabled_tenants=[
                (tenant, charts.list_url(tenant=str(tenant.pk), status=HotlineStatus.DISABLED))
                for tenant in tenants_with_disabled()
            ],
        )
        return context
