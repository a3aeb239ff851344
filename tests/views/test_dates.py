"""One date and time format per language on every page (hotlines/dates.py, etelecom_admin/formats)."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import translation
from django.utils.formats import get_format

from hotlines.dates import when_html
from hotlines.models import AuditAction, AuditEntry, ExportFormat, ExportRecord, ExportStatus
from tests.conftest import make_user

REQUESTED = datetime(2026, 12, 3, 8, 50, 7, tzinfo=UTC)  # 15:50 in Ho Chi Minh City
EXPECTED = {"en": "3 Dec 2026, 15:50", "vi": "03/12/2026 15:50"}
EXPECTED_DAY = {"en": "3 Dec 2026", "vi": "03/12/2026"}
ISO_SHOWN = re.compile(r">[^<]*\d{4}-\d\d-\d\d[^<]*<")  # an ISO date between tags: what a person reads


@pytest.mark.parametrize("language", ["en", "vi"])
def test_each_language_has_one_date_and_one_date_time_format(language):
    formats = {name: get_format(name, lang=language) for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT",
               "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")}  # fmt: skip
    assert formats["SHORT_DATE_FORMAT"] == formats["DATE_FORMAT"]
    assert formats["SHORT_DATETIME_FORMAT"] == formats["DATETIME_FORMAT"]
    assert formats["DATETIME_FORMAT"].startswith(formats["DATE_FORMAT"])  # a date reads the same with its time
    with translation.override(language):
        assert when_html(REQUESTED) == f'<time datetime="2026-12-03T08:50:07Z">{EXPECTED[language]}</time>'
        assert when_html(REQUESTED.date()) == f'<time datetime="2026-12-03">{EXPECTED_DAY[language]}</time>'
    assert when_html(None) == "—"


def _pages_in(client, url: str) -> dict[str, str]:
    pages = {}
    for language in ("en", "vi"):
        client.post("/preferences/language/", {"language": language})
        response = client.get(url)
        assert response.status_code == 200
        pages[language] = response.text
    return pages


@pytest.mark.django_db
def test_my_exports_writes_dates_as_every_other_page(client, django_user_model):
    person = make_user(django_user_model, "exporter", "hotlines.view_hotline", "hotlines.export_hotline")
    record = ExportRecord.objects.create(
        user=person, username="exporter", format=ExportFormat.CSV, row_count=3, status=ExportStatus.DONE
    )
    ExportRecord.objects.filter(pk=record.pk).update(created_at=REQUESTED, finished_at=REQUESTED)
    client.force_login(person)
    for language, html in _pages_in(client, "/exports/mine/").items():
        assert f'<time datetime="2026-12-03T08:50:07Z">{EXPECTED[language]}</time>' in html, language
        assert not ISO_SHOWN.search(html), ISO_SHOWN.search(html)


@pytest.mark.django_db
def test_the_audit_log_writes_dates_as_every_other_page(admin_user_client):
    entry = AuditEntry.objects.create(actor_username="someone", action=AuditAction.SIGN_IN, target="someone")
    AuditEntry.objects.filter(pk=entry.pk).update(at=REQUESTED)
    for language, html in _pages_in(admin_user_client, "/audit/").items():
        assert f'<time datetime="2026-12-03T08:50:07Z">{EXPECTED[language]}</time>' in html, language
        assert not ISO_SHOWN.search(html), ISO_SHOWN.search(html)


@pytest.mark.django_db
def test_the_admins_export_list_and_an_export_page_too(admin_user_client, superuser):
    record = ExportRecord.objects.create(
        user=superuser,
        username="root",
        format=ExportFormat.CSV,
        row_count=3,
        status=ExportStatus.DONE,
        background=True,
    )
    ExportRecord.objects.filter(pk=record.pk).update(created_at=REQUESTED, finished_at=REQUESTED)
    for url in ("/exports/", f"/exports/{record.pk}/"):
        for language, html in _pages_in(admin_user_client, url).items():
            assert f">{EXPECTED[language]}</time>" in html, (url, language)
            assert not ISO_SHOWN.search(html), (url, ISO_SHOWN.search(html))
