"""`{% kept a b %}…{% endkept %}`: a block rendered once per process for each distinct value of
its key (`a`, `b`, any template values) and the active language, then reused.

For a piece of a page that costs template time on every request yet shows only what its key says:
the hotline list's column chooser (fourteen columns, each with translated labels and buttons) is a
function of the shown columns and the language alone; the home page's charts, of the data version
(whose totals they draw) and the language. The block must read nothing but its key and
translations: no request and no person, and data of a sync only when the data version it was read
under is in the key (a test per use checks it renders the same as without the tag). Kept in this
process, as the navigation is (navigation.py): bounded, and cleared when full.
"""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from ..process_memo import ProcessMemo

register = template.Library()

MAX_KEPT = 1024  # distinct keys actually seen (languages × column choices); cleared if ever full

_kept: ProcessMemo[tuple, SafeString] = ProcessMemo(MAX_KEPT)


def kept_clear() -> None:
    """Forget every kept block (tests: each starts as a new process would, and a rolled-back
    test's data version may come back with other data)."""
    _kept.clear()


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, key: list[template.base.FilterExpression]) -> None:
        self.nodelist = nodelist
        self.key = key

    def render(self, context) -> SafeString:
        key = (id(self), translation.get_language(), *(_hashable(part.resolve(context)) for part in self.key))
        return _kept.get_or_make(key, lambda: mark_safe(self.nodelist.render(context)))  # noqa: S308 - a template's output


@register.tag
def kept(parser, token) -> KeptNode:
    """`{% kept <value> … %}…{% endkept %}`: see the module."""
    key = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not key:
        raise template.TemplateSyntaxError("{% kept %} needs the values its block depends on.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, key)
