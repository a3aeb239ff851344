"""Hardening: sign-in throttling, session lifetimes, security headers and cookies, deploy checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hotlines import middleware as session_middleware
from hotlines.middleware import SEEN_KEY, SEEN_RESOLUTION, STARTED_KEY
from hotlines.models import AuditAction, AuditEntry

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


# --- django-axes -------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, role_users):
    password = "pw-viewer-Long-enough-1"
    for _attempt in range(4):
        assert _sign_in(client, "viewer", "wrong").status_code == 200  # the form again, with an error
    locked = _sign_in(client, "viewer", "wrong")  # the 5th failure locks
    assert locked.status_code == 429
    again = _sign_in(client, "viewer", password)
    assert again.status_code == 429
    html = again.content.decode()
    assert "Sign-in locked" in html and "Try again in 15 minutes" in html
    assert "_auth_user_id" not in client.session
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.count(AuditAction.SIGN_IN_FAILED) == 6  # 5 failures + the attempt while locked
    assert actions.count(AuditAction.SIGN_IN_LOCKED) == 1
    assert AuditAction.SIGN_IN not in actions
    lock = AuditEntry.objects.get(action=AuditAction.SIGN_IN_LOCKED)
    assert lock.actor_username == "viewer" and lock.ip_address == "127.0.0.1" and lock.details["failures"] == 5


def test_the_lock_ends_after_the_cool_off(client, role_users):
    for _attempt in range(5):
        _sign_in(client, "viewer", "wrong")
    assert _sign_in(client, "viewer", "pw-viewer-Long-enough-1").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = _sign_in(client, "viewer", "pw-viewer-Long-enough-1")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(role_users["viewer"].pk)


def test_an_administrator_can_lift_a_lock(client, role_users):
    for _attempt in range(5):
        _sign_in(client, "viewer", "wrong")
    admin = client.__class__()
    admin.force_login(role_users["administrator"])
    page = admin.get(reverse("hotlines:user-list")).content.decode()
    assert ">Locked out<" in page  # a badge, capitalised like every other
    assert admin.post(reverse("hotlines:user-unlock", args=[role_users["viewer"].pk])).status_code == 302
    assert _sign_in(client, "viewer", "pw-viewer-Long-enough-1").status_code == 302
    unlock = AuditEntry.objects.get(action=AuditAction.USER_CHANGED, target="user viewer")
    assert unlock.actor_username == "administrator" and unlock.details["unlocked"] >= 1


def test_sign_in_and_sign_out_are_audited(client, role_users):
    assert _sign_in(client, "viewer", "pw-viewer-Long-enough-1").status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == [AuditAction.SIGN_IN, AuditAction.SIGN_OUT]
    assert entries[0].actor == role_users["viewer"] and entries[0].ip_address == "127.0.0.1"
    assert entries[1].details == {"reason": "user"}


def test_a_failed_sign_in_records_the_name_tried_never_the_password(client, db):
    _sign_in(client, "nobody", "hunter2-Secret")
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert entry.actor is None and entry.actor_username == "nobody"
    assert "hunter2" not in str(entry.details) and "hunter2" not in entry.target


# --- session lifetimes -------------------------------------------------------------------------------


def _age_session(client, **marks) -> None:
    session = client.session
    for key, seconds_ago in marks.items():
        session[key] = int(time.time()) - seconds_ago
    session.save()


@pytest.fixture
def signed_in(client, role_users):
    client.force_login(role_users["viewer"])
    assert client.get(reverse("hotlines:list")).status_code == 200  # starts the clocks
    return client


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_an_idle_session_is_signed_out_with_a_message(signed_in):
    _age_session(signed_in, **{SEEN_KEY: 601})
    response = signed_in.get(reverse("hotlines:list"), follow=True)
    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert "signed out after 10 minutes without activity" in response.content.decode()
    assert AuditEntry.objects.get(action=AuditAction.SIGN_OUT).details == {"reason": "idle"}


@override_settings(SESSION_IDLE_TIMEOUT=600, SESSION_ABSOLUTE_TIMEOUT=3600)
def test_a_session_ends_at_its_absolute_lifetime_even_when_busy(signed_in):
    _age_session(signed_in, **{STARTED_KEY: 3601, SEEN_KEY: 5})
    response = signed_in.get(reverse("hotlines:list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEntry.objects.get(action=AuditAction.SIGN_OUT).details == {"reason": "absolute"}


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_activity_keeps_a_session_alive_without_writing_it_on_every_request(signed_in):
    first_seen = signed_in.session[SEEN_KEY]
    signed_in.get(reverse("hotlines:list"))
    assert signed_in.session[SEEN_KEY] == first_seen  # within SEEN_RESOLUTION: not rewritten
    _age_session(signed_in, **{SEEN_KEY: 599})
    assert signed_in.get(reverse("hotlines:list")).status_code == 200
    assert time.time() - signed_in.session[SEEN_KEY] < SEEN_RESOLUTION


@override_settings(SESSION_IDLE_TIMEOUT=30)
def test_a_short_idle_timeout_never_signs_out_a_busy_person(signed_in, monkeypatch):
    clock = SimpleNamespace(now=int(time.time()))
    monkeypatch.setattr(session_middleware, "time", SimpleNamespace(time=lambda: clock.now))
    for gap in [20, 20, 20, 27, 1, 26, 27, 5, 27]:  # a person clicking, never 30 s apart
        clock.now += gap
        response = signed_in.get(reverse("hotlines:list"))
        assert response.status_code == 200, f"signed out after a {gap} s pause"
    clock.now += 31  # and the timeout itself still holds, and says so in seconds (not "0 minutes")
    response = signed_in.get(reverse("hotlines:list"), follow=True)
    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert "signed out after 30 seconds without activity" in response.content.decode()
    assert AuditEntry.objects.get(action=AuditAction.SIGN_OUT).details == {"reason": "idle"}


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_polling_by_an_open_page_does_not_count_as_activity(signed_in):
    _age_session(signed_in, **{SEEN_KEY: 599})
    aged = signed_in.session[SEEN_KEY]
    assert signed_in.get(reverse("hotlines:freshness"), headers={"HX-Request": "true"}).status_code == 200
    assert signed_in.session[SEEN_KEY] == aged  # the poll answered, but the clock was not reset
    _age_session(signed_in, **{SEEN_KEY: 601})
    response = signed_in.get(reverse("hotlines:freshness"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and "_auth_user_id" not in signed_in.session


@override_settings(SESSION_IDLE_TIMEOUT=600)
def test_an_expired_htmx_request_sends_the_whole_page_to_sign_in(signed_in):
    _age_session(signed_in, **{SEEN_KEY: 601})
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/hotlines/?status=P"}
    response = signed_in.get(reverse("hotlines:list"), {"status": "P"}, headers=headers)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?next=/hotlines/%3Fstatus%3DP"


# --- 403, not a redirect loop ---------------------------------------------------------------------------


def test_signed_in_users_without_the_permission_get_a_403_page(client, role_users):
    client.force_login(role_users["viewer"])
    response = client.get(reverse("hotlines:connection-list"))
    assert response.status_code == 403
    assert "You are not allowed to see this page" in response.content.decode()
    assert client.get(LOGIN).status_code == 302  # signed in: the sign-in page sends them on, no loop


# --- headers and cookies -------------------------------------------------------------------------------


def test_security_headers(client, db):
    response = client.get(LOGIN, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def _assert_framing_headers(response) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_https_redirect_carries_the_security_headers(db):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get(LOGIN)  # plain HTTP
    assert response.status_code == 301 and response["Location"].startswith("https://")
    _assert_framing_headers(response)


@pytest.mark.parametrize("redirect", [False, True])
def test_a_bad_host_gets_a_400_with_the_security_headers(db, redirect):
    with override_settings(SECURE_SSL_REDIRECT=redirect):
        response = Client().get(LOGIN, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_static_files_carry_the_security_headers(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    _assert_framing_headers(response)


def test_pages_keep_their_csp_nonce_and_one_set_of_headers(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200 and len(str(response.context["csp_nonce"])) >= 16
    assert len(response.headers.get("Content-Security-Policy").split("frame-ancestors")) == 2


@pytest.mark.parametrize("secure", [False, True])
def test_the_language_cookie_is_same_site_and_secure_over_https(client, db, secure):
    with override_settings(LANGUAGE_COOKIE_SECURE=False):  # what DEBUG gives: Secure only over HTTPS
        response = client.post(reverse("hotlines:language"), {"language": "vi", "next": LOGIN}, secure=secure)
    cookie = response.cookies["django_language"]
    assert response.status_code == 302 and cookie.value == "vi"
    assert cookie["samesite"] == "Lax" and bool(cookie["secure"]) is secure


def test_the_language_cookie_is_secure_in_production_settings(client, db):
    cookie = client.post(reverse("hotlines:language"), {"language": "vi"}).cookies["django_language"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"


def test_cookies_are_secure_httponly_and_same_site(client, role_users):
    client.get(LOGIN)
    response = _sign_in(client, "viewer", "pw-viewer-Long-enough-1")
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


# --- manage.py check --deploy ------------------------------------------------------------------------


def _deploy_check(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "etelecom_admin.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hotlines.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_hardening_is_switched_off(tmp_path):
    result = _deploy_check(tmp_path, SESSION_COOKIE_SECURE="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W012" in result.stderr


def test_a_user_without_a_role_is_told_why_they_see_nothing(client, role_users):
    client.force_login(role_users["no_role"])
    response = client.get(reverse("hotlines:home"))
    assert response.status_code == 403
    assert "Your account has no role yet" in response.content.decode()
