"""Submit a rendered form as a browser would: what it sends is read from the HTML, not written by hand.

A test that posts a hand-made dict checks the dict, not the page: a field the page renders empty
(and a person therefore submits empty) goes unnoticed. `form_data_from_html` builds the POST data
from the page's own <form>, with the browser's rules for what is successful (sent) and what not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Inputs a browser sends as typed; the other kinds are buttons, files or handled apart.
_TEXT_TYPES = {
    "",
    "text",
    "hidden",
    "email",
    "number",
    "url",
    "search",
    "tel",
    "date",
    "datetime-local",
    "time",
    "month",
    "week",
    "color",
    "range",
}
_SELECTOR = re.compile(
    r"(?P<tag>[a-z]+)?(?:#(?P<id>[\w-]+))?(?:\.(?P<cls>[\w-]+))?(?:\[(?P<attr>[\w-]+)=\"?(?P<value>[^\"\]]*)\"?\])?$"
)


def _matches(attrs: dict[str, str], tag: str, selector: str) -> bool:
    match = _SELECTOR.match(selector.strip())
    if match is None:
        raise ValueError(f"unsupported selector {selector!r}: use tag, #id, .class and [attr=value]")
    want = match.groupdict()
    if want["tag"] and want["tag"] != tag:
        return False
    if want["id"] and attrs.get("id") != want["id"]:
        return False
    if want["cls"] and want["cls"] not in (attrs.get("class") or "").split():
        return False
    return not (want["attr"] and attrs.get(want["attr"]) != want["value"])


class _FormParser(HTMLParser):
    def __init__(self, selector: str, submitter: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.selector, self.submitter = selector, submitter
        self.found = 0
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.fields: set[str] = set()
        self.submitters: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self.form_id: str | None = None  # the chosen form's id, for controls outside it (form="…")

    def handle_starttag(self, tag: str, attr_list) -> None:
        attrs = {name: (value if value is not None else "") for name, value in attr_list}
        if tag == "form" and not self.inside and _matches(attrs, tag, self.selector):
            self.found += 1
            self.inside = self.found == 1
            return
        # A control with a `form` attribute belongs to that form, wherever it sits in the page.
        owned = attrs["form"] == self.form_id if "form" in attrs and self.form_id else self.inside
        if not owned and tag != "option":
            return
        name = attrs.get("name")
        disabled = "disabled" in attrs
        if tag == "input":
            kind = attrs.get("type", "").lower()
            if name:
                self.fields.add(name)
            if not name or disabled:
                return
            if kind in ("submit", "image"):
                self.submitters.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind == "password":
                self.pairs.append((name, ""))  # a browser never gets a stored password back
            elif kind in _TEXT_TYPES:
                self.pairs.append((name, attrs.get("value", "")))
        elif tag == "button":
            kind = attrs.get("type", "submit").lower()
            if name and not disabled and kind == "submit":
                self.submitters.append((name, attrs.get("value", "")))
        elif tag == "select":
            if name:
                self.fields.add(name)
            self._select = {"name": name, "skip": disabled or not name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            if name:
                self.fields.add(name)
            self._textarea = {"name": name, "skip": disabled or not name, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            options = select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not select["multiple"]:
                chosen = options[:1]  # a single select always sends its first option when none is marked
            if not select["skip"]:
                for option in chosen:
                    value = option["value"] if option["value"] is not None else option["text"].strip()
                    self.pairs.append((select["name"], value))
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            if not area["skip"]:
                text = area["text"][1:] if area["text"].startswith("\n") else area["text"]
                self.pairs.append((area["name"], text.replace("\r\n", "\n")))


class FormData(dict):
    """POST data as a browser would send it ({name: [values]}), plus the names of every field the form renders."""

    fields: set[str]

    def set(self, name: str, *values: str) -> FormData:
        """Change one field as a person would (a value typed, an option picked, a box ticked)."""
        if name not in self.fields:
            raise KeyError(f"the form has no field {name!r} (it has {sorted(self.fields)})")
        self[name] = [str(value) for value in values]
        if not values:
            del self[name]  # an unticked box or an empty multiple select sends nothing
        return self


def _form_id(html: str, form_selector: str) -> str | None:
    """The id of the first <form> matching `form_selector` (None if it has none)."""
    for match in re.finditer(r"<form\b([^>]*)>", html):
        attrs = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', match.group(1)))
        if _matches(attrs, "form", form_selector):
            return attrs.get("id") or None
    return None


def form_data_from_html(html: str, form_selector: str = "form", *, submitter: str | None = None) -> FormData:
    """The data the first <form> matching `form_selector` sends when submitted with the button `submitter`.

    Checked boxes and radios, selected options, textareas, hidden and text inputs are sent with their
    rendered values; unchecked boxes, disabled fields and buttons other than the submitter are not;
    password inputs are sent empty. `form_selector` takes a tag, #id, .class and [attr=value];
    `submitter` is a button's name, or "name=value" when several buttons share a name.
    """
    parser = _FormParser(form_selector, submitter)
    parser.form_id = _form_id(html, form_selector)
    parser.feed(html)
    parser.close()
    if not parser.found:
        raise AssertionError(f"no <form> matching {form_selector!r} in the page")
    data = FormData()
    data.fields = parser.fields
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    if submitter is not None:
        name, _sep, value = submitter.partition("=")
        buttons = [pair for pair in parser.submitters if pair[0] == name and (not _sep or pair[1] == value)]
        if not buttons:
            raise AssertionError(f"the form has no submit button named {submitter!r}")
        name, value = buttons[0]
        data.setdefault(name, []).append(value)
        data.fields.add(name)
    return data
