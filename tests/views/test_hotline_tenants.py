"""Tenants on the hotline side: the Tenant column, the `tenant` filter and its chips and notes,
the picker's options, the quick search by a tenant's name, the detail and the home page's panels.
Names are hostile where a person could be hurt by them (markup, formulas, 10 KB)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from hotlines.choices import HotlineStatus
from hotlines.selectors.tenant_lookup import OPTIONS_LIMIT
from hotlines.tables.tenant_cells import tenant_cells_clear
from tests.conftest import make_user
from tests.factories import ConnectionFactory, HotlineFactory, TenantFactory

pytestmark = pytest.mark.django_db

HTML_NAME = '<img src=x onerror=alert(1)>Công ty "ABC"'
LONG_NAME = ("Công ty " + "dài " * 2_500)[:500]  # a 10 KB name upstream, as long as a tenant name is kept


@pytest.fixture
def world():
    """Two eTelecom accounts whose owners share IDs: each hotline's tenants are its account's.

    - owner A (account 1): two tenants, one with markup in its name;
    - owner B (account 1): one tenant with a 10 KB name, and a removed one;
    - owner C (account 1): no tenant (a tenant of account 2 has the same owner ID);
    - account 2's hotline of owner C: that tenant.
    """
    one, two = ConnectionFactory(name="Head office"), ConnectionFactory(name="Branch office")
    abc = TenantFactory(connection=one, owner_id="111", name="Công ty ABC", domain="abc.example.vn")
    html = TenantFactory(connection=one, owner_id="111", name=HTML_NAME, domain="<b>x</b>.vn")
    long = TenantFactory(connection=one, owner_id="222", name=LONG_NAME, status="=cmd")
    removed = TenantFactory(connection=one, owner_id="222", name="Đã xoá", is_removed=True)
    other = TenantFactory(connection=two, owner_id="333", name="Chi nhánh Đà Nẵng")
    hotlines = {
        "a": HotlineFactory(connection=one, owner_id="111", name="Tổng đài A"),
        "a2": HotlineFactory(connection=one, owner_id="111", name="Tổng đài A2", status=HotlineStatus.DISABLED),
        "b": HotlineFactory(connection=one, owner_id="222", name="Tổng đài B"),
        "c": HotlineFactory(connection=one, owner_id="333", name="Tổng đài C"),
        "none": HotlineFactory(connection=one, owner_id="", name="Tổng đài không chủ"),
        "branch": HotlineFactory(connection=two, owner_id="333", name="Tổng đài chi nhánh"),
    }
    return {"abc": abc, "html": html, "long": long, "removed": removed, "other": other, **hotlines}


def rows(response) -> dict[str, str]:
    """Each row's hotline name -> its Tenant cell's HTML."""
    html = response.content.decode()
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        name = re.search(r'<td class="col-wide" data-label="Name"><span class="clamp-2" title="([^"]*)"', row)
        tenant = re.search(r'<td[^>]*data-label="Tenant">(.*?)</td>', row, re.S)
        if name and tenant:
            found[unescape(name.group(1))] = tenant.group(1)
    return found


def test_the_tenant_column_names_each_hotlines_tenants_of_its_own_account(viewer_client, world):
    response = viewer_client.get("/hotlines/")
    assert response.status_code == 200
    cells = rows(response)
    a = cells["Tổng đài A"]
    assert f'href="/tenants/{world["abc"].pk}/"' in a and f'href="/tenants/{world["html"].pk}/"' in a
    assert "Công ty ABC" in a
    assert "<img" not in a and "&lt;img src=x onerror=alert(1)&gt;" in a  # escaped, never markup
    assert f"/tenants/{world['long'].pk}/" in cells["Tổng đài B"]
    assert "Đã xoá" not in cells["Tổng đài B"]  # a removed tenant owns nothing
    # Same owner ID, other account: not this hotline's tenant.
    assert "No tenant" in cells["Tổng đài C"] and "Chi nhánh" not in cells["Tổng đài C"]
    assert "Chi nhánh Đà Nẵng" in cells["Tổng đài chi nhánh"]
    assert "No tenant" in cells["Tổng đài không chủ"]
    assert '<th scope="col" class="col-tenant_name"' in response.content.decode()


def test_the_tenant_column_costs_one_query_whatever_the_rows(viewer_client, world, django_assert_max_num_queries):
    one = world["abc"].connection
    for n in range(60):  # many owners, each with a tenant: still one query for the page's tenants
        TenantFactory(connection=one, owner_id=f"9{n}")
        HotlineFactory(connection=one, owner_id=f"9{n}")
    viewer_client.get("/hotlines/")  # warm the per-sync caches (filter choices)
    tenant_cells_clear()  # the tenant cells cold on both pages, as in a new process
    with django_assert_max_num_queries(15) as small:
        viewer_client.get("/hotlines/?per_page=25&page=2")
    tenant_cells_clear()
    with django_assert_max_num_queries(15) as large:
        response = viewer_client.get("/hotlines/?per_page=200")
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(rows(response)) == 66
    tenant_reads = [q for q in large.captured_queries if 'FROM "hotlines_tenant"' in q["sql"]]
    assert len(tenant_reads) == 1
    # Warm (the same process rendered these owners' cells for the same tenant data): no tenant row read.
    with django_assert_max_num_queries(15) as warm:
        again = viewer_client.get("/hotlines/?per_page=200")
    assert not [q for q in warm.captured_queries if 'FROM "hotlines_tenant"' in q["sql"]]
    assert len(warm.captured_queries) == len(large.captured_queries) - 1
    assert rows(again) == rows(response)


def test_the_tenant_column_does_not_sort_and_a_crafted_sort_is_a_note(viewer_client, world):
    response = viewer_client.get("/hotlines/?sort=tenant_name")
    assert response.status_code == 200
    assert "cannot be sorted by “tenant_name”" in response.content.decode()
    header = re.search(r'<th scope="col" class="col-tenant_name"(.*?)</th>', response.content.decode(), re.S)
    assert "<a" not in header.group(1)


def test_filter_by_several_tenants(viewer_client, world):
    response = viewer_client.get(f"/hotlines/?tenant={world['abc'].pk}&tenant={world['long'].pk}")
    assert set(rows(response)) == {"Tổng đài A", "Tổng đài A2", "Tổng đài B"}
    html = response.content.decode()
    assert "3 hotlines match" in html
    # One chip per tenant, named, each removing only itself.
    chips = re.findall(r'<a class="chip" href="([^"]*)"[^>]*>\s*<span class="chip-label">Tenant:</span> (.*?)\n', html)
    by_name = {unescape(name.strip())[:11]: href for href, name in chips}
    assert set(by_name) == {"Công ty ABC", "Công ty dài"}
    remove_abc = parse_qs(urlsplit(unescape(by_name["Công ty ABC"])).query)
    assert remove_abc == {"tenant": [str(world["long"].pk)]}
    # Both stay ticked in the picker, with their names.
    for tenant in (world["abc"], world["long"]):
        assert f'name="tenant" value="{tenant.pk}" id="id_tenant_{tenant.pk}" checked' in html


def test_a_tenant_of_the_other_account_selects_only_its_hotlines(viewer_client, world):
    assert set(rows(viewer_client.get(f"/hotlines/?tenant={world['other'].pk}"))) == {"Tổng đài chi nhánh"}


@pytest.mark.parametrize("bad", ["abc", "999999", "0", "-1", "²", "١", "9" * 30, "1 1", "removed"])
def test_unusable_tenant_ids_are_dropped_with_a_note_and_the_others_apply(viewer_client, world, bad):
    bad = str(world["removed"].pk) if bad == "removed" else bad
    response = viewer_client.get("/hotlines/", {"tenant": [bad, str(world["long"].pk)]})
    assert response.status_code == 200
    assert set(rows(response)) == {"Tổng đài B"}
    html = unescape(response.content.decode())
    assert "“Tenant”: “" in html and "was left out (no such tenant, or removed upstream)." in html
    alone = viewer_client.get("/hotlines/", {"tenant": bad})
    assert alone.status_code == 200
    assert len(rows(alone)) == 6  # nothing left to filter by: the whole list, with the note
    assert "was left out" in unescape(alone.content.decode())


def test_the_filters_kept_tenants_follow_a_rename_and_a_removal(viewer_client, world):
    """The tenants a filter names are kept per tenant data version (tenant_lookup.py): a change of
    any tenant is a new version, so the next page reads them again."""
    url = f"/hotlines/?tenant={world['abc'].pk}"
    assert "Công ty ABC" in unescape(viewer_client.get(url).content.decode())
    abc = world["abc"]
    abc.name = "Công ty ABC mới"
    abc.last_changed_at = abc.last_changed_at + timedelta(seconds=1)
    abc.save()
    assert "Công ty ABC mới" in unescape(viewer_client.get(url).content.decode())
    abc.is_removed = True
    abc.last_changed_at = abc.last_changed_at + timedelta(seconds=1)
    abc.save()
    response = viewer_client.get(url)
    assert "was left out (no such tenant, or removed upstream)." in unescape(response.content.decode())
    assert len(rows(response)) == 6


def test_htmx_pushes_the_list_url_without_the_dropped_ids(viewer_client, world):
    response = viewer_client.get(
        "/hotlines/",
        {"tenant": ["nope", str(world["abc"].pk), str(world["abc"].pk)], "tenant_search": "abc"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert response["HX-Push-Url"] == f"/hotlines/?tenant={world['abc'].pk}"
    assert "Ignored unknown parameters" not in response.content.decode()


def test_the_quick_search_finds_hotlines_by_their_tenants_name_without_accents(viewer_client, world):
    assert set(rows(viewer_client.get("/hotlines/?q=cong+ty+abc"))) == {"Tổng đài A", "Tổng đài A2"}
    assert set(rows(viewer_client.get("/hotlines/?q=DA+NANG"))) == {"Tổng đài chi nhánh"}
    # The hotline's own name still matches; a removed tenant's name finds nothing.
    assert set(rows(viewer_client.get("/hotlines/?q=tong+dai+b"))) == {"Tổng đài B"}
    assert rows(viewer_client.get("/hotlines/?q=da+xoa")) == {}


def test_the_quick_search_count_follows_a_tenant_renamed_without_hotline_changes(viewer_client, world):
    assert "2 hotlines match" in viewer_client.get("/hotlines/?q=abc.example").content.decode()
    # A sync moves the tenant's domain; no hotline changed, so the hotlines' data version did not
    # move: the cached count must not answer for the old tenant.
    # As the sync's writes do, the change moves the tenant's last_changed_at (the tenants' data version).
    abc = world["abc"]
    abc.domain, abc.search_text = "xyz.example.vn", "cong ty abc xyz.example.vn"
    abc.last_changed_at = abc.last_changed_at + timedelta(seconds=1)
    abc.save()
    assert "No hotline matches" in viewer_client.get("/hotlines/?q=abc.example").content.decode()


# --- The picker --------------------------------------------------------------------------------


def test_picker_options_search_without_accents_and_keep_the_chosen_ones(viewer_client, world):
    response = viewer_client.get("/tenants/options/", {"q": "CONG TY", "tenant": str(world["long"].pk)})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="tenant"') == 3  # the chosen one, then ABC and the HTML one
    assert f'value="{world["long"].pk}" id="id_tenant_{world["long"].pk}" checked' in html
    assert f'value="{world["abc"].pk}" id="id_tenant_{world["abc"].pk}">' in html
    assert "<img" not in html and "&lt;img" in html
    assert "Đã xoá" not in html and "Chi nhánh" not in html
    assert len(html) < 5_000  # a 10 KB name is shortened
    # The search box's own name (what htmx sends) works too.
    assert "Chi nhánh Đà Nẵng" in viewer_client.get("/tenants/options/", {"tenant_search": "da nang"}).content.decode()


def test_picker_offers_at_most_a_few_tenants(viewer_client, world):
    TenantFactory.create_batch(OPTIONS_LIMIT + 5, connection=world["abc"].connection, name="Khách hàng")
    html = viewer_client.get("/tenants/options/", {"q": "khach"}).content.decode()
    assert html.count('name="tenant"') == OPTIONS_LIMIT
    assert "type more of the name" in html
    assert viewer_client.get("/tenants/options/").content.decode().count('name="tenant"') == 0


def test_picker_options_ignore_crafted_ids(viewer_client, world):
    response = viewer_client.get("/tenants/options/", {"tenant": ["²", "9" * 40, "x", str(world["abc"].pk)]})
    assert response.status_code == 200
    assert response.content.decode().count('name="tenant"') == 1


def test_picker_options_need_the_permission_to_browse_hotlines(client, world, django_user_model):
    response = client.get("/tenants/options/", {"q": "cong"})
    assert response.status_code == 302 and "/login" in response.url
    client.force_login(make_user(django_user_model, "nobody"))
    assert client.get("/tenants/options/", {"q": "cong"}).status_code == 403
    user = make_user(django_user_model, "someone")
    user.user_permissions.add(Permission.objects.get(codename="view_hotline"))
    client.force_login(user)
    assert "Công ty ABC" in client.get("/tenants/options/", {"q": "cong"}).content.decode()


def test_picker_without_javascript_lists_the_matches_on_the_page(viewer_client, world):
    response = viewer_client.get("/hotlines/", {"tenant_search": "abc", "tenant": str(world["long"].pk)})
    html = response.content.decode()
    assert f'value="{world["abc"].pk}" id="id_tenant_{world["abc"].pk}">' in html  # offered, not ticked
    assert f'value="{world["long"].pk}" id="id_tenant_{world["long"].pk}" checked' in html
    assert 'name="tenant_search" id="id_tenant_search" value="abc"' in html
    assert "Ignored unknown parameters" not in html
    assert set(rows(response)) == {"Tổng đài B"}  # the search only changes the picker


# --- Detail and home ---------------------------------------------------------------------------


def test_the_detail_names_each_tenant_with_domain_and_status(viewer_client, world):
    html = viewer_client.get(f"/hotlines/{world['a'].pk}/").content.decode()
    block = re.search(r'<dd id="hotline-tenants">(.*?)</dd>', html, re.S).group(1)
    assert "<dt>Tenants</dt>" in html
    assert f'href="/tenants/{world["abc"].pk}/"' in block and "abc.example.vn" in block and "Enabled" in block
    assert "&lt;img" in block and "<img" not in block and "&lt;b&gt;x&lt;/b&gt;.vn" in block
    long = viewer_client.get(f"/hotlines/{world['b'].pk}/").content.decode()
    assert "=cmd" in long and "dài dài" in long and "Đã xoá" not in long
    none = viewer_client.get(f"/hotlines/{world['c'].pk}/").content.decode()
    assert "<dt>Tenant</dt>" in none and "No tenant" in none and "Chi nhánh" not in none


def test_the_home_page_ranks_tenants_and_links_their_disabled_hotlines(viewer_client, world):
    abc, long = world["abc"], world["long"]
    # The counts as a sync stores them when it publishes.
    type(abc).objects.filter(pk=abc.pk).update(hotline_count=2, enabled_count=1, disabled_count=1)
    type(abc).objects.filter(pk=long.pk).update(hotline_count=1, enabled_count=1, disabled_count=0)
    type(abc).objects.filter(pk=world["removed"].pk).update(hotline_count=9, disabled_count=9)
    html = viewer_client.get("/").content.decode()
    top = re.search(r'id="top-tenants">(.*?)</section>', html, re.S).group(1)
    assert top.index("Công ty ABC") < top.index("Công ty dài")
    assert "2 hotlines" in top and "1 hotline" in top and "Đã xoá" not in top
    disabled = re.search(r'id="disabled-tenants">(.*?)</section>', html, re.S).group(1)
    assert f'href="/hotlines/?tenant={abc.pk}&amp;status=N"' in disabled and "1 of 2 disabled" in disabled
    assert "Công ty dài" not in disabled
    # The link lands on that tenant's disabled hotlines.
    assert set(rows(viewer_client.get(f"/hotlines/?tenant={abc.pk}&status=N"))) == {"Tổng đài A2"}


def test_the_home_page_without_tenants_says_so(viewer_client, db):
    html = viewer_client.get("/").content.decode()
    assert "No tenant has hotlines yet." in html and "No tenant has a disabled hotline." in html


def test_the_tenant_cells_kept_per_process_stay_bounded(viewer_client, world, monkeypatch):
    from hotlines.tables import tenant_cells

    one = world["abc"].connection
    for n in range(30):
        TenantFactory(connection=one, owner_id=f"8{n}")
        HotlineFactory(connection=one, owner_id=f"8{n}")
    monkeypatch.setattr(tenant_cells, "MAX_CELLS", 40)
    first = rows(viewer_client.get("/hotlines/?per_page=25"))
    second = rows(viewer_client.get("/hotlines/?per_page=25&page=2"))
    assert len(tenant_cells._store.cells) <= 40
    # Started again rather than grown: still right, page after page.
    assert rows(viewer_client.get("/hotlines/?per_page=25")) == first
    assert rows(viewer_client.get("/hotlines/?per_page=25&page=2")) == second
    assert len(tenant_cells._store.cells) <= 40


def test_a_tenant_filter_makes_no_query_more_than_the_list_without_it(viewer_client, world):
    """The filter's tenants, once read, are kept per tenant data version: the page reads only the
    version, which the Tenant column's cells need anyway (selectors/tenants.py: once per request)."""
    filtered_url = f"/hotlines/?tenant={world['abc'].pk}"
    viewer_client.get("/hotlines/"), viewer_client.get(filtered_url)  # warm the counts
    with CaptureQueriesContext(db_connection) as plain:
        viewer_client.get("/hotlines/")
    with CaptureQueriesContext(db_connection) as filtered:
        response = viewer_client.get(filtered_url)
    assert len(filtered.captured_queries) == len(plain.captured_queries)
    assert set(rows(response)) == {"Tổng đài A", "Tổng đài A2"}


def test_the_tenant_column_makes_no_query_more_than_the_list_without_it(client, django_user_model, world):
    """The tenants' data version comes with the hotlines' (`data_version`, one round trip), so the
    column's cells, kept per process, cost the page no query of its own."""
    from hotlines.columns import DEFAULT_COLUMNS
    from hotlines.models import UserPreference

    queries = {}
    for shown in (True, False):
        person = make_user(django_user_model, f"columns-{shown}", "hotlines.view_hotline")
        columns = [name for name in DEFAULT_COLUMNS if shown or name != "tenant_name"]
        UserPreference.objects.update_or_create(user=person, defaults={"columns": columns})
        client.force_login(person)
        client.get("/hotlines/")  # the counts and the cells, once
        with CaptureQueriesContext(db_connection) as captured:
            response = client.get("/hotlines/")
        assert ("Công ty ABC" in unescape(response.content.decode())) == shown
        queries[shown] = len(captured.captured_queries)
    assert queries[True] == queries[False]


def test_the_version_read_beside_the_filters_lookup_is_the_tenant_data_version(world):
    from hotlines.selectors import request_memo
    from hotlines.selectors import tenants as tenant_selectors
    from hotlines.selectors.tenant_lookup import tenants_by_ids

    expected = tenant_selectors.tenant_data_version()  # outside a request: its own query each time
    request_memo.request_opened()
    try:
        assert tenants_by_ids([str(world["abc"].pk)]).found == [world["abc"]]
        with CaptureQueriesContext(db_connection) as queries:
            assert tenant_selectors.tenant_data_version() == expected
        assert not queries.captured_queries
    finally:
        request_memo.request_closed()
    # Closed: read again (a sync between two requests is seen by the next one).
    world["abc"].name = "Đổi tên"
    world["abc"].last_changed_at = world["abc"].last_changed_at + timedelta(seconds=1)
    world["abc"].save()
    assert tenant_selectors.tenant_data_version() != expected


def test_a_search_reads_the_tenants_it_names_once_per_tenant_data_version(viewer_client, world):
    """The tenants a search's words name are kept per words and tenant data version
    (tenant_lookup.tenants_named): the next page of the same search reads no tenant, and once a
    sync renamed one, the search finds it by its new name (the old name: the test above)."""
    viewer_client.get("/hotlines/?q=cong+ty+abc")
    with CaptureQueriesContext(db_connection) as queries:
        response = viewer_client.get("/hotlines/?q=cong+ty+abc")
    assert not [q for q in queries.captured_queries if 'FROM "hotlines_tenant"' in q["sql"]]
    assert set(rows(response)) == {"Tổng đài A", "Tổng đài A2"}
    abc = world["abc"]
    abc.name, abc.search_text = "Công ty Mới", "cong ty moi abc-new.example.vn"
    abc.last_changed_at = abc.last_changed_at + timedelta(seconds=1)
    abc.save()
    assert set(rows(viewer_client.get("/hotlines/?q=cong+ty+moi"))) == {"Tổng đài A", "Tổng đài A2"}
