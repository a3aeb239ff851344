"""Webhooks: their list with the last delivery, one webhook's delivery log, the watches they may carry."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery

from ..models import Watch, Webhook, WebhookDelivery


def webhook_list() -> QuerySet[Webhook]:
    """Every webhook with how many watches it carries and its last delivery (time and status), in one query."""
    last = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-id")
    return Webhook.objects.annotate(
        watch_count=Count("watches", distinct=True),
        last_delivery_at=Subquery(last.values("created_at")[:1]),
        last_delivery_status=Subquery(last.values("status")[:1]),
    ).order_by("-is_active", "name", "id")


def webhook_deliveries(*, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """One webhook's delivery log, newest first (the index `webhookdelivery_log` serves it)."""
    return (
        WebhookDelivery.objects.filter(webhook=webhook)
        .defer("body")
        .select_related("sync_run")
        .order_by("-created_at", "-id")
    )


def watch_label(watch: Watch) -> str:
    """How a watch is named to administrators: "person: view name" or "person: number"."""
    target = watch.view.name if watch.view_id else str(watch.hotline.hotline)
    return f"{watch.user.get_username()}: {target}"


def watch_choices() -> list[tuple[int, str]]:
    """Every person's watches, as choices for a webhook ("person: view/hotline"), by person then name."""
    watches = Watch.objects.select_related("user", "view", "hotline").only(
        "pk", "user__username", "view__name", "hotline__hotline"
    )
    return sorted(((w.pk, watch_label(w)) for w in watches), key=lambda choice: choice[1].casefold())
