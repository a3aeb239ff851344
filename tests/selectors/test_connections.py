"""The Connections list's reads: the last sync and the last test of every connection at once."""

from hotlines import selectors
from hotlines.models import AuditAction, AuditEntry, Connection


def test_the_connections_list_reads_the_last_tests_in_one_query(connection, sandbox, django_assert_num_queries):
    for n in range(3):
        extra = Connection.objects.create(name=f"c{n}", base_url=sandbox.url, api_key="k" * 20)
        AuditEntry.objects.create(
            action=AuditAction.CONNECTION_TESTED,
            target=f"connection c{n}",
            details={"connection_id": extra.pk, "outcome": "timeout", "count": 0, "ms": 15000, "error": "slow"},
        )
    AuditEntry.objects.create(action=AuditAction.CONNECTION_CHANGED, details={"connection_id": connection.pk})
    with django_assert_num_queries(1):
        rows = {c.name: (c.last_test_at is not None, c.last_test_details) for c in selectors.connection_list()}
    assert rows["default"] == (False, None)
    assert rows["c1"][0] and rows["c1"][1]["outcome"] == "timeout" and rows["c1"][1]["ms"] == 15000
