"""Two eTelecom accounts, each synced from its own sandbox: the list holds both, the account filter
is a facet (checkboxes with counts, active accounts only), the counts follow the other filters and
the data version, the home page counts both, the freshness bar tells each account's own state,
exports of one account hold its rows and name it, and the detail names the account."""

import re
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotlines import selectors
from hotlines.choices import SyncStatus
from hotlines.etelecom.sandbox import SandboxServer
from hotlines.models import Connection, ExportRecord, Hotline, SyncRun
from hotlines.services.connections.writes import connection_set_active
from hotlines.services.sync import hotlines_sync
from tests.conftest import make_user, mirror

# The sync commits (on PostgreSQL it heartbeats on a second connection): no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)

SECOND_KEY = "k-branch-office-7f3a9c"
SECOND_SIZE = 40
SECOND_SEED = 11


@pytest.fixture(scope="session")
def second_sandbox_server():
    server = SandboxServer("127.0.0.1", 0, hotlines=SECOND_SIZE, seed=SECOND_SEED, api_key=SECOND_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def second_sandbox(second_sandbox_server, secret_canary):
    """A second eTelecom account's sandbox: other data, another API key (never shown)."""
    secret_canary(SECOND_KEY)
    second_sandbox_server.dataset.reset(size=SECOND_SIZE, seed=SECOND_SEED)
    second_sandbox_server.faults.clear()
    yield second_sandbox_server
    second_sandbox_server.faults.clear()


@pytest.fixture
def accounts(connection, second_sandbox) -> tuple[Connection, Connection]:
    """Head office (the shared sandbox, 230 hotlines) and Branch office (its own, 40), not synced."""
    connection.name = "Head office"
    connection.save()
    branch = Connection.objects.create(
        name="Branch office", base_url=second_sandbox.url, api_key=SECOND_KEY, page_size=50, timeout=5
    )
    return connection, branch


@pytest.fixture
def two_synced(request, accounts, sandbox, second_sandbox) -> tuple[Connection, Connection]:
    """Both accounts synced, each from its own sandbox."""
    for account, server in zip(accounts, (sandbox, second_sandbox), strict=True):
        mirror(request, connection=account, items=server.dataset.all())
    return accounts


@pytest.fixture
def staff(client, django_user_model):
    user = make_user(
        django_user_model, "staff", "hotlines.view_hotline", "hotlines.export_hotline", "hotlines.view_syncrun",
    )  # fmt: skip
    client.force_login(user)
    return client


def pks(account: Connection, **filters) -> set[int]:
    return set(Hotline.objects.filter(connection=account, is_removed=False, **filters).values_list("pk", flat=True))


def listed(client, **params) -> set[int]:
    """Every row the list shows, page after page."""
    found: set[int] = set()
    page = 1
    while True:
        response = client.get(reverse("hotlines:list"), {**params, "per_page": 200, "page": page})
        assert response.status_code == 200
        found |= {row.record.pk for row in response.context["table"].paginated_rows}
        if page >= response.context["table"].paginator.num_pages:
            return found
        page += 1


def facets(response) -> dict[str, dict[str, int]]:
    return {g["name"]: {c["value"]: c["count"] for c in g["choices"]} for g in response.context["facet_groups"]}


def account_group_html(response) -> str:
    text = response.content.decode()
    match = re.search(r"<fieldset class=\"filter-group\">\s*<legend>eTelecom account.*?</fieldset>", text, re.S)
    assert match, "the account filter is not on the page"
    return match.group(0)


def bar(client) -> str:
    text = client.get(reverse("hotlines:list")).content.decode()
    start = text.index('id="freshness"')
    return " ".join(text[start : text.index("</div>\n</div>", start)].split())


# --- the list, its filter and its facets --------------------------------------------------------


def test_the_list_holds_both_accounts_hotlines(staff, two_synced):
    head, branch = two_synced
    assert len(pks(branch)) == SECOND_SIZE and len(pks(head)) > SECOND_SIZE
    response = staff.get(reverse("hotlines:list"))
    assert response.context["table"].paginator.count == len(pks(head)) + len(pks(branch))
    assert listed(staff) == pks(head) | pks(branch)
    assert listed(staff, connection=branch.pk) == pks(branch)
    assert listed(staff, connection=[head.pk, branch.pk]) == pks(head) | pks(branch)


def test_the_account_filter_is_checkboxes_with_counts_of_active_accounts_only(staff, two_synced):
    head, branch = two_synced
    closed = Connection.objects.create(name="Closed branch", base_url=branch.base_url, api_key="k", is_active=False)
    response = staff.get(reverse("hotlines:list"))
    group = account_group_html(response)
    assert "<option" not in group and 'for="None"' not in group
    boxes = re.findall(r'<input type="checkbox" name="connection" value="(\d+)" id="([^"]+)"', group)
    assert [int(value) for value, _id in boxes] == [branch.pk, head.pk]  # by name, the closed one left out
    for _value, box_id in boxes:
        assert group.count(f'for="{box_id}"') == 1  # each label names its own box
    assert group.count("Branch office") == 1 and group.count("Head office") == 1  # each name once
    assert "Closed branch" not in group
    assert facets(response)["connection"] == {str(branch.pk): SECOND_SIZE, str(head.pk): len(pks(head))}
    assert f'id="facet-connection-0">{SECOND_SIZE}</span>' in group
    assert str(closed.pk) not in facets(response)["connection"]


def test_one_active_account_offers_no_account_filter(staff, accounts):
    _head, branch = accounts
    branch.is_active = False
    branch.save()
    response = staff.get(reverse("hotlines:list"))
    assert "connection" not in facets(response) and "eTelecom account</legend>" not in response.content.decode()


def test_a_ticked_account_is_checked_and_counts_the_others_facets(staff, two_synced):
    head, branch = two_synced
    response = staff.get(reverse("hotlines:list"), {"connection": branch.pk})
    assert response.context["table"].paginator.count == SECOND_SIZE
    groups = {g["name"]: g for g in response.context["facet_groups"]}
    assert [c["checked"] for c in groups["connection"]["choices"]] == [True, False]
    assert f'value="{branch.pk}" id="id_connection_0" checked' in account_group_html(response)
    branch_statuses = {}
    for status in Hotline.objects.filter(connection=branch, is_removed=False).values_list("status", flat=True):
        branch_statuses[status] = branch_statuses.get(status, 0) + 1
    assert {k: v for k, v in facets(response)["status"].items() if v} == branch_statuses
    # The account facet itself still counts every account (under the other filters: none here).
    assert facets(response)["connection"][str(head.pk)] == len(pks(head))
    assert [chip.value for chip in response.context["chips"]] == ["Branch office"]


@pytest.mark.parametrize("other", [{"status": "P"}, {"free": "yes"}, {"q": "tong"}])
def test_account_counts_follow_the_other_filters(staff, two_synced, other):
    """Counted from the cached totals (status) or one GROUP BY (free of charge, a search): both agree."""
    head, branch = two_synced
    response = staff.get(reverse("hotlines:list"), other)
    expected = {str(account.pk): len(listed(staff, connection=account.pk, **other)) for account in two_synced}
    assert facets(response)["connection"] == expected
    assert response.context["table"].paginator.count == sum(expected.values())
    both = staff.get(reverse("hotlines:list"), {**other, "connection": [head.pk, branch.pk]})
    assert both.status_code == 200 and both.context["table"].paginator.count == sum(expected.values())


def test_account_counts_follow_a_sync_that_changed_the_data(staff, two_synced, second_sandbox):
    head, branch = two_synced
    assert facets(staff.get(reverse("hotlines:list")))["connection"][str(branch.pk)] == SECOND_SIZE
    gone = [item["id"] for item in second_sandbox.dataset.all()[:3]]
    for hotline_id in gone:
        second_sandbox.dataset.remove(hotline_id)
    assert hotlines_sync(connection=branch).removed == 3
    counts = facets(staff.get(reverse("hotlines:list")))["connection"]
    assert counts == {str(branch.pk): SECOND_SIZE - 3, str(head.pk): len(pks(head))}
    only_removed = staff.get(reverse("hotlines:list"), {"include_removed": "only"})
    assert facets(only_removed)["connection"][str(branch.pk)] == 3


def test_a_bookmarked_deactivated_account_is_ignored_with_a_note(staff, two_synced, superuser):
    head, branch = two_synced
    connection_set_active(connection=branch, is_active=False, actor=superuser)
    response = staff.get(reverse("hotlines:list"), {"connection": branch.pk})
    assert any("“eTelecom account” was ignored" in note for note in response.context["notes"])
    # Its hotlines are data: they stay in the list (and in the home totals).
    assert response.context["table"].paginator.count == len(pks(head)) + SECOND_SIZE
    assert "connection" not in response.context["list_query"]
    # An export of that link holds every account's rows, and its name does not claim otherwise.
    staff.get(reverse("hotlines:list"), {"_export": "csv", "connection": branch.pk})
    assert ExportRecord.objects.get().filename.startswith("hotlines-all-connections-")


def test_two_accounts_ticked_with_a_search_is_not_an_error(staff, two_synced):
    head, branch = two_synced
    response = staff.get(reverse("hotlines:list"), {"connection": [branch.pk, head.pk], "q": "tong"})
    assert response.status_code == 200
    assert response.context["table"].paginator.count == len(listed(staff, q="tong"))


def test_a_part_of_a_number_finds_it_in_either_account_and_the_account_filter_narrows_it(staff, two_synced):
    """Six digits of a number (SQLite: through its trigram index of every account's numbers):
    the hotlines of both accounts that hold them, and one account's when it is ticked."""
    head, branch = two_synced
    number = Hotline.objects.filter(connection=branch).values_list("hotline", flat=True).first()
    part = number[-6:]
    assert listed(staff, q=part) == pks(head, hotline__contains=part) | pks(branch, hotline__contains=part)
    assert listed(staff, q=part, connection=branch.pk) == pks(branch, hotline__contains=part)
    assert listed(staff, q=part, connection=head.pk) == pks(head, hotline__contains=part)


# --- home, export, detail -----------------------------------------------------------------------


def test_home_totals_count_both_accounts(staff, two_synced):
    head, branch = two_synced
    response = staff.get("/")
    assert response.context["totals"].total == len(pks(head)) + SECOND_SIZE
    enabled = len(pks(head, status="P")) + len(pks(branch, status="P"))
    assert response.context["enabled"] == enabled


def test_an_export_of_one_account_holds_its_rows_and_names_it(staff, two_synced):
    _head, branch = two_synced
    response = staff.get(reverse("hotlines:list"), {"_export": "csv", "connection": branch.pk})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    numbers = set(Hotline.objects.filter(connection=branch).values_list("hotline", flat=True))
    assert len(lines) == 1 + SECOND_SIZE
    assert all(any(number in line for number in numbers) for line in lines[1:])
    assert ExportRecord.objects.get().filename.startswith("hotlines-branch-office-")


def test_the_detail_names_the_account(staff, two_synced):
    _head, branch = two_synced
    hotline = Hotline.objects.filter(connection=branch).first()
    text = " ".join(staff.get(hotline.get_absolute_url()).content.decode().split())
    assert "<dt>eTelecom account</dt><dd>Branch office</dd>" in text


# --- the freshness bar --------------------------------------------------------------------------


def test_both_synced_is_one_line(staff, two_synced):
    shown = bar(staff)
    assert "Data last synced just now" in shown and "freshness-warn" not in shown
    assert "never synced" not in shown and "No successful sync yet" not in shown


def test_one_never_synced_names_it_and_no_more(staff, accounts):
    head, _branch = accounts
    assert hotlines_sync(connection=head).error == ""
    shown = bar(staff)
    assert "No successful sync yet" not in shown
    assert "Branch office has never synced." in shown and "Head office synced just now" in shown
    assert "Head office has never synced" not in shown and "freshness-warn" in shown


def test_one_failed_names_it_with_its_error(staff, two_synced, second_sandbox):
    _head, branch = two_synced
    second_sandbox.faults.add("status", status=400, code="invalid_argument", msg="bad request")
    failed = hotlines_sync(connection=branch)
    assert failed.status == SyncStatus.FAILED
    shown = bar(staff)
    line = shown[shown.index("Branch office") :]
    assert line.index("Its last sync failed:") < line.index("</li>")
    assert failed.get_absolute_url() in shown and "Head office synced just now" in shown


def test_accounts_far_apart_in_time_each_say_when(staff, two_synced, settings):
    _head, branch = two_synced
    settings.HOTLINES_STALE_AFTER = 3600
    SyncRun.objects.filter(connection=branch).update(finished_at=timezone.now() - timedelta(hours=2))
    selectors.freshness_forget()
    shown = bar(staff)
    assert "Head office synced just now" in shown and "Branch office synced 2 hours ago" in shown
    branch_line = shown[shown.index("Branch office") :]
    assert branch_line.index("This data may be out of date.") < branch_line.index("</li>")


def test_neither_synced_says_so(staff, accounts):
    shown = bar(staff)
    assert "No successful sync yet: the list is empty until one succeeds." in shown
    assert "has never synced" not in shown


def test_only_deactivated_accounts_synced_does_not_claim_the_list_is_empty(staff, two_synced, superuser):
    for account in two_synced:
        connection_set_active(connection=account, is_active=False, actor=superuser)
    shown = bar(staff)
    assert "the list is empty" not in shown and "No active eTelecom account" in shown


def test_freshness_of_every_account_in_three_queries(two_synced):
    with CaptureQueriesContext(db) as queries:
        fresh = selectors.freshness()
    assert len(queries.captured_queries) == 3
    assert [account.name for account in fresh.accounts] == ["Branch office", "Head office"]
    assert all(account.last_success_at for account in fresh.accounts) and not fresh.per_account
