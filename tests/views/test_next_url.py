"""A form's `next` (where it returns after a POST) is followed only when it is a path on this site.

Found by posting made-up values to every form: `next=on` passed `url_has_allowed_host_and_scheme`
as a relative URL, and `redirect("on")` took it for a view's name: a NoReverseMatch, a 500, on
"Mark all read" and "Sync now"."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hotlines.views.next_url import next_url

pytestmark = pytest.mark.django_db

MADE_UP = ["on", "-1", "[]", "NaN", "hotlines:list", "//evil.example", "/\\evil.example", "http://evil.example/x",
           "https://testserver.evil.example/", "javascript:alert(1)", " /hotlines/", "", "\x00"]  # fmt: skip
PATH = "/hotlines/?status=P&sort=name"


@pytest.mark.parametrize("value", MADE_UP)
def test_only_a_path_on_this_site_is_followed(value):
    request = RequestFactory().post("/", {"next": value})
    assert next_url(request, "/default/") == "/default/"


def test_a_path_on_this_site_is_followed():
    request = RequestFactory().post("/", {"next": PATH})
    assert next_url(request, "/default/") == PATH


@pytest.mark.parametrize("value", [*MADE_UP, PATH])
def test_the_forms_with_a_next_go_back_or_to_their_own_page_never_fail(admin_user_client, value):
    """Every view that reads `next`: a redirect to the path sent, or to its own default."""
    posts = [
        (reverse("hotlines:notification-read-all"), {}, reverse("hotlines:notifications")),
        (reverse("hotlines:sync-start"), {}, reverse("hotlines:sync-list")),  # no active account
        (reverse("hotlines:language"), {"language": "en"}, "/"),
        (reverse("hotlines:list-preferences"), {"action": "reset"}, reverse("hotlines:list")),
    ]
    for url, data, default in posts:
        response = admin_user_client.post(url, {**data, "next": value})
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"] == (PATH if value == PATH else default), url
