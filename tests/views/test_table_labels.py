"""Each list's table is a region named after its own list for screen readers (the hotline
list's template was the site-wide default, so the users, audit and export tables were "Hotlines")."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LABELS = {
    "hotlines:list": "Hotlines",
    "hotlines:user-list": "Users",
    "hotlines:audit-log": "Audit log",
    "hotlines:export-list": "Exports",
    "hotlines:export-mine": "My exports",
    "hotlines:sync-list": "Sync runs",
}


@pytest.mark.parametrize(("name", "label"), LABELS.items())
def test_each_table_is_a_region_named_after_its_list(admin_user_client, name, label):
    page = admin_user_client.get(reverse(name)).content.decode()
    regions = re.findall(r'<div class="table-scroll"[^>]*aria-label="([^"]*)"', page)
    assert regions == [label]
