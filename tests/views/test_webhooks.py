"""The Webhooks pages: administrators only, the secret shown once and stored encrypted, forms that
change only what changed, clear errors for bad input, and the actions on a webhook."""

from __future__ import annotations

import pytest
from django.db import connection as db

from hotlines.models import AuditAction, AuditEntry, DeliveryStatus, Webhook, WebhookDelivery
from hotlines.services.users import ADMINISTRATOR, OPERATOR
from tests.factories import UserFactory, WatchFactory, WebhookDeliveryFactory, WebhookFactory
from tests.forms import form_data_from_html

pytestmark = pytest.mark.django_db

FORM = ".form-card"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def with_role(role: str):
    from django.contrib.auth.models import Group

    from hotlines.services.users import roles_ensure

    roles_ensure()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


def test_an_operator_cannot_add_or_see_webhooks(client):
    client.force_login(with_role(OPERATOR))
    assert client.get("/webhooks/").status_code == 403
    response = client.post("/webhooks/add/", {"name": "x", "url": "https://hooks.example.vn/x", "failure_limit": 3})
    assert response.status_code == 403 and not Webhook.objects.exists()


def test_an_administrator_role_manages_them(client):
    client.force_login(with_role(ADMINISTRATOR))
    assert client.get("/webhooks/").status_code == 200


def test_add_shows_the_secret_once_and_stores_it_encrypted(admin_client, secret_canary):
    watch = WatchFactory(view__name="Disabled Viettel")
    page = admin_client.get("/webhooks/add/").content.decode()
    assert f"{watch.user.username}: Disabled Viettel" in page
    data = form_data_from_html(page, FORM)
    data.set("name", "Ops receiver").set("url", "https://hooks.example.vn/etelecom").set("watches", watch.pk)
    response = admin_client.post("/webhooks/add/", data)
    webhook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{webhook.pk}/secret/"
    secret = webhook.secret
    shown = admin_client.get(response["Location"])
    assert "no-cache" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    assert secret.encode() in shown.content and secret.startswith("whsec_") and len(secret) > 40
    # From here on any response or log line holding it fails the suite: it was shown its one time.
    secret_canary(secret)
    again = admin_client.get(response["Location"]).content.decode()
    assert secret not in again and "already shown" in again
    assert secret not in admin_client.get(f"/webhooks/{webhook.pk}/").content.decode()
    assert secret not in admin_client.get("/webhooks/").content.decode()
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM hotlines_webhook WHERE id = %s", [webhook.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored
    assert list(webhook.watches.all()) == [watch]
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_CREATED)
    assert secret not in str(entry.details) and entry.details["webhook_id"] == webhook.pk


def test_a_given_secret_is_kept(admin_client):
    data = {"name": "x", "url": "http://127.0.0.1:9000/h", "failure_limit": 5, "secret": "my-own-secret-1234567"}
    assert admin_client.post("/webhooks/add/", data).status_code == 302
    assert Webhook.objects.get().secret == "my-own-secret-1234567"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "http://hooks.example.vn/x", "must use https"),
        ("url", "https://169.254.169.254/latest", "metadata"),
        ("url", "https://[fe80::1]/x", "link-local"),
        ("url", "https://u:p@hooks.example.vn/x", "user name or password"),
        ("url", "https://hooks.example.vn:22/x", "port"),
        ("url", "https://hooks.example.vn/" + "a" * 5000, "at most 500"),
        ("name", "n" * 10_000, "at most 100"),
        ("failure_limit", "100000", "less than or equal to 1000"),
        ("failure_limit", "-1", "greater than or equal to 1"),
        ("watches", "abc", "valid choice"),
        ("watches", "999999", "valid choice"),
        ("secret", "short", "Between 16 and 200"),
        ("secret", "mật khẩu có dấu rất dài", "no spaces"),
    ],
)
def test_bad_input_is_a_clear_form_error(admin_client, field, value, message):
    data = {"name": "x", "url": "https://hooks.example.vn/x", "failure_limit": "5", field: value}
    response = admin_client.post("/webhooks/add/", data)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not Webhook.objects.exists()


def test_edit_changes_only_what_changed(admin_client):
    kept, added = WatchFactory(), WatchFactory()
    webhook = WebhookFactory(url="https://hooks.example.vn/x", failure_limit=4)
    webhook.watches.add(kept)
    secret = webhook.secret
    page = admin_client.get(f"/webhooks/{webhook.pk}/").content.decode()
    assert 'name="secret"' not in page
    response = admin_client.post(f"/webhooks/{webhook.pk}/", form_data_from_html(page, FORM))
    assert response.status_code == 302
    assert "Nothing to save" in admin_client.get("/webhooks/").content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.WEBHOOK_CHANGED).exists()

    data = form_data_from_html(page, FORM).set("watches", kept.pk, added.pk)
    assert admin_client.post(f"/webhooks/{webhook.pk}/", data).status_code == 302
    webhook.refresh_from_db()
    assert set(webhook.watches.all()) == {kept, added}
    assert (webhook.url, webhook.failure_limit, webhook.secret) == ("https://hooks.example.vn/x", 4, secret)
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_CHANGED)
    assert entry.details["fields"] == ["watches"]


def test_rotate_shows_a_new_secret_once(admin_client):
    webhook = WebhookFactory()
    old = webhook.secret
    response = admin_client.post(f"/webhooks/{webhook.pk}/rotate/")
    assert response["Location"] == f"/webhooks/{webhook.pk}/secret/"
    webhook.refresh_from_db()
    assert webhook.secret != old
    assert webhook.secret in admin_client.get(response["Location"]).content.decode()
    assert webhook.secret not in admin_client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_SECRET_ROTATED).count() == 1
    assert admin_client.get(f"/webhooks/{webhook.pk}/rotate/").status_code == 405


def test_reactivating_resets_the_failures_and_the_reason(admin_client):
    webhook = WebhookFactory(is_active=False, consecutive_failures=10, disabled_reason="Disabled after 10 deliveries")
    waiting = WebhookDeliveryFactory(webhook=webhook)
    page = admin_client.get("/webhooks/").content.decode()
    assert "Disabled after 10 deliveries" in page and "10 / 10" in page
    admin_client.post(f"/webhooks/{webhook.pk}/active/", {"active": "1"})
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.consecutive_failures, webhook.disabled_reason) == (True, 0, "")
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.PENDING and waiting.next_try_at is None
    admin_client.post(f"/webhooks/{webhook.pk}/active/", {"active": "0"})
    webhook.refresh_from_db()
    assert not webhook.is_active
    actions = list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.WEBHOOK_ACTIVATED, AuditAction.WEBHOOK_DEACTIVATED]


def test_delete_asks_then_deletes_with_the_log(admin_client):
    webhook = WebhookFactory(name="Old receiver")
    WebhookDeliveryFactory(webhook=webhook)
    assert "1 delivery" in admin_client.get(f"/webhooks/{webhook.pk}/delete/").content.decode()
    assert Webhook.objects.exists()
    response = admin_client.post(f"/webhooks/{webhook.pk}/delete/")
    assert response.status_code == 302 and not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    assert AuditEntry.objects.get(action=AuditAction.WEBHOOK_DELETED).details["deliveries"] == 1
    assert admin_client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 404


def test_send_test_queues_a_delivery_shown_in_the_log(admin_client):
    webhook = WebhookFactory()
    response = admin_client.post(f"/webhooks/{webhook.pk}/test/")
    assert response["Location"] == f"/webhooks/{webhook.pk}/deliveries/"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status) == ("webhook.test", "pending")
    log = admin_client.get(response["Location"]).content.decode()
    assert "webhook.test" in log and str(delivery.idempotency_key) in log and "Waiting" in log


def test_the_log_escapes_what_a_receiver_answered(admin_client):
    webhook = WebhookFactory()
    hostile = '<script>alert(1)</script><img src=x onerror="x">'
    tries = [{"at": "2026-01-01T00:00:00+00:00", "code": 500, "error": hostile, "ms": 3}, {"at": "bad", "code": None}]
    WebhookDeliveryFactory(
        webhook=webhook, status="failed", error=f"HTTP 500: {hostile}", tries=2, response_code=500, attempts=tries
    )
    log = admin_client.get(f"/webhooks/{webhook.pk}/deliveries/").content.decode()
    assert hostile not in log and "&lt;script&gt;" in log


def test_unknown_webhooks_are_404(admin_client):
    for url in ("/webhooks/999/", "/webhooks/999/deliveries/", "/webhooks/999/secret/", "/webhooks/999/delete/"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post("/webhooks/999/test/").status_code == 404


def test_the_list_has_a_constant_number_of_queries(admin_client, django_assert_max_num_queries):
    for _ in range(5):
        webhook = WebhookFactory()
        webhook.watches.add(WatchFactory())
        WebhookDeliveryFactory(webhook=webhook)
    with django_assert_max_num_queries(12):
        page = admin_client.get("/webhooks/").content.decode()
    assert page.count("/deliveries/") >= 5
