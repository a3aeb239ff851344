"""Hiding the API key in whatever text leaves the eTelecom client (errors, eTelecom's echoes)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

from . import exceptions as exc

REDACTED = "[redacted]"
_BEARER_RE = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]+")
_AUTHORIZATION_RE = re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(?!bearer\b)[^\s\"',;}]+")
MIN_REDACTED_KEY = 6  # shorter "keys" (tests' "k") would blank ordinary words out of messages
KEY_FRAGMENT = 10  # a cut or partly echoed key: any run of this many of its characters is hidden


class Redactor:
    """Hides an API key (as sent, URL- or JSON-encoded, or a long enough piece of it) and any
    `Bearer <token>` or `Authorization: <value>` in a text."""

    def __init__(self, api_key: str) -> None:
        key = api_key.strip()
        self.secrets: list[str] = []
        self.fragments: list[str] = []
        if len(key) >= MIN_REDACTED_KEY:
            forms = {key, quote(key, safe=""), quote_plus(key), json.dumps(key)[1:-1]}
            self.secrets = sorted(forms, key=len, reverse=True)
        if len(key) >= 2 * KEY_FRAGMENT:
            self.fragments = [key[i : i + KEY_FRAGMENT] for i in range(len(key) - KEY_FRAGMENT + 1)]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = _BEARER_RE.sub(rf"\1 {REDACTED}", text)
        text = _AUTHORIZATION_RE.sub(rf"\1{REDACTED}", text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return self._without_fragments(text) if self.fragments else text

    def _without_fragments(self, text: str) -> str:
        hidden = [False] * len(text)
        found = False
        for fragment in self.fragments:
            start = text.find(fragment)
            while start != -1:
                found = True
                hidden[start : start + len(fragment)] = [True] * len(fragment)
                start = text.find(fragment, start + 1)
        if not found:
            return text
        out: list[str] = []
        for index, char in enumerate(text):
            if not hidden[index]:
                out.append(char)
            elif index == 0 or not hidden[index - 1]:
                out.append(REDACTED)
        return "".join(out)

    def scrub(self, error: exc.EtelecomError) -> None:
        """Hide the key in an error's message and in eTelecom's `code` and `msg` it carries."""
        error.args = tuple(self(arg) if isinstance(arg, str) else arg for arg in error.args)
        error.code = self(error.code)
        error.msg = self(error.msg)

    @contextmanager
    def scrubbing(self) -> Iterator[None]:
        """Scrub the API key from every EtelecomError that leaves this block, whoever built its
        text (an upstream echoing the Authorization header in `msg`, a field value quoted by a
        validation error): the freshness bar, the audit log and the logs all start from here."""
        try:
            yield
        except exc.EtelecomError as error:
            self.scrub(error)
            raise
