"""htmx swaps only the results (or the whole filter form for chips); the URL follows; plain GETs
work the same without JavaScript."""

import pytest

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/hotlines/"}


def test_results_only_with_out_of_band_facets(viewer_client, synced):
    response = viewer_client.get("/hotlines/?status=P&q=&owner=&sort=name", HTTP_HX_TARGET="results", **HX)
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<section id="results"') and "<html" not in text
    assert 'id="facet-network-0" hx-swap-oob="true"' in text and 'id="facet-status-all" hx-swap-oob="true"' in text
    assert 'hx-swap-oob="innerHTML:#export-menu-slot"' in text
    # The address pushed is the canonical one: no empty values, the sort kept.
    assert response["HX-Push-Url"] == "/hotlines/?status=P&sort=name"
    assert "HX-Request" in response["Vary"]
    enabled = sum(1 for i in synced if i["status"] == "P")
    assert f"{enabled} hotlines match" in text


def test_chips_swap_the_whole_form(viewer_client, synced):
    response = viewer_client.get("/hotlines/?network=viettel", HTTP_HX_TARGET="filter-form", **HX)
    assert response.text.lstrip().startswith("<form") and 'id="filter-form"' in response.text
    assert 'name="network" value="viettel" id="id_network_0" checked' in response.text
    assert 'id="facet-network-0" hx-swap-oob' not in response.text  # the counts come with the form
    assert 'hx-swap-oob="innerHTML:#export-menu-slot"' in response.text  # the export menu follows


def test_history_restore_gets_the_whole_page(viewer_client, synced):
    response = viewer_client.get(
        "/hotlines/?network=viettel", HTTP_HX_TARGET="results", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX
    )
    assert "<html" in response.text


def test_the_first_page_leaves_the_address_without_page(viewer_client, synced):
    response = viewer_client.get("/hotlines/?page=1&per_page=25", HTTP_HX_TARGET="results", **HX)
    assert response["HX-Push-Url"] == "/hotlines/?per_page=25"
    response = viewer_client.get("/hotlines/?page=3&status=BOGUS", HTTP_HX_TARGET="results", **HX)
    assert response["HX-Push-Url"] == "/hotlines/?page=3"  # the unusable value is not carried on


def test_without_javascript_the_form_and_links_are_plain_get(viewer_client, synced):
    response = viewer_client.get("/hotlines/?network=viettel&sort=-name")
    text = response.text
    assert '<form id="filter-form" class="list-form" method="get" action="/hotlines/"' in text
    assert 'href="?network=viettel&amp;sort=-name&amp;page=2"' in text  # next page keeps filters and sort
    assert 'href="?network=viettel&amp;sort=name"' in text  # sorting the other way, back to page 1
    assert 'type="submit"' in text  # Apply and Search buttons
    assert '<option value="-name" selected>Name (descending)</option>' in text  # the form keeps the sort


def test_scripts_are_files_and_nothing_is_inline(viewer_client, synced):
    response = viewer_client.get("/hotlines/")
    text = response.text
    assert "django_htmx/htmx-2.min.js" in text and "js/app.js" in text
    assert "<script>" not in text and " style=" not in text and " onclick=" not in text
    assert "script-src 'self'" in response["Content-Security-Policy"]
