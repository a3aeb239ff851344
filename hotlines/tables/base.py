"""What every list's table shares: the site's table class. The generic template
(templates/includes/table.html) names each table's region by its `label`."""

from __future__ import annotations

import django_tables2 as tables


class ListTable(tables.Table):
    """A list's table; its Meta subclasses `ListTable.Meta` to keep the shared options."""

    label = ""

    class Meta:
        attrs = {"class": "table"}
