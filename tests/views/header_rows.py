"""A table's header row written in Python (`PagedListTable.headers_html`) against the template's
own `sort_header.html` loop: the same characters, for any query, in any language."""

from __future__ import annotations

from django.template.loader import get_template


def assert_header_row_is_the_templates(table, request, monkeypatch) -> None:
    template = get_template(table.template_name)
    ours = template.render({"table": table}, request)
    monkeypatch.setattr(type(table), "headers_html", lambda self: "")  # the template's own loop
    theirs = template.render({"table": table}, request)
    assert ours == theirs
    assert "<script>" not in ours
    assert ours.count('<th scope="col"') == len(table.columns)
