"""URL patterns of the webhooks pages (joined by hotlines/urls.py)."""

from django.urls import path

from ..views import webhooks

urlpatterns: list = [
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/add/", webhooks.WebhookCreateView.as_view(), name="webhook-add"),
    path("webhooks/<int:pk>/", webhooks.WebhookUpdateView.as_view(), name="webhook-edit"),
    path("webhooks/<int:pk>/delete/", webhooks.WebhookDeleteView.as_view(), name="webhook-delete"),
    path("webhooks/<int:pk>/active/", webhooks.WebhookActiveView.as_view(), name="webhook-active"),
    path("webhooks/<int:pk>/test/", webhooks.WebhookTestView.as_view(), name="webhook-test"),
    path("webhooks/<int:pk>/rotate/", webhooks.WebhookRotateView.as_view(), name="webhook-rotate"),
    path("webhooks/<int:pk>/secret/", webhooks.WebhookSecretView.as_view(), name="webhook-secret"),
    path("webhooks/<int:pk>/deliveries/", webhooks.WebhookDeliveryListView.as_view(), name="webhook-deliveries"),
]
