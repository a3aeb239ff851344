"""The next page's cursor is read from the end of an answer, so the next request goes out before
the page is decoded: it must always equal the cursor the whole decode finds, or not be read at
all (then the answer is decoded whole, and fails as it always did)."""

import json
import random
import threading

import pytest
import requests

from hotlines.etelecom import exceptions as exc
from hotlines.etelecom.client import EtelecomClient
from hotlines.etelecom.decoding import next_cursor


def decoded_cursor(body: bytes):
    """What the whole decode makes of the cursor (None: not a readable envelope)."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    paging = payload.get("paging") if isinstance(payload, dict) else None
    return (paging.get("next") or "") if isinstance(paging, dict) else None


def valid(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return True


def test_the_sandboxs_answers_give_the_decoded_cursor(sandbox):
    after, seen = "", 0
    while True:
        answer = requests.post(
            f"{sandbox.url}/GetPartnerHotlineList",
            json={"paging": {"after": after, "limit": 40}},
            headers={"Authorization": "Bearer sandbox-key"},
            timeout=5,
        )
        cursor = next_cursor(answer.content)
        assert cursor == answer.json()["paging"]["next"]
        seen += 1
        if not cursor:
            break
        after = cursor
    assert seen == 6  # 230 hotlines at 40 a page


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        (b'{"hotlines":[{"id":"1"}],"paging":{"next":"abc","prev":""}}', "abc"),
        (b'{"hotlines": [] , "paging" :\n {"next": "abc"} }\r\n', "abc"),
        (b'{"hotlines":[],"paging":{"next":null}}', ""),
        (b'{"hotlines":[],"paging":{"next":""}}', ""),
        (b'{"a\\\\":1,"hotlines":[],"paging":{"next":"ok"}}', "ok"),  # an escaped backslash, then a key
        (b'{"hotlines":[],"paging":{"next":"a"},"paging":{"next":"b"}}', "b"),  # json keeps the last
        # Not certain: the whole decode decides.
        (b'{"paging":{"next":"abc"},"hotlines":[]}', None),  # not the last member
        (b'{"hotlines":[],"x":{"paging":{"next":"inner"}}}', None),  # nested
        (b'{"hotlines":[{"paging":{"next":"inner"}}]}', None),
        (b'{"hotlines":[],"paging":{"next":"a","x":{"paging":{"next":"b"}}}}', None),
        (b'{"hotlines":[],"a\\"paging":{"next":"evil"}}', None),  # the end of a string, not a key
        (b'{"hotlines":[],"note":"paging","paging2":{}}', None),
        (b'{"hotlines":[],"paging":{"next":5}}', None),  # not the API's shape
        (b'{"hotlines":[],"paging":{"next":"a","prev":7}}', None),
        (b'{"hotlines":[],"paging":["next"]}', None),
        (b'{"hotlines":[],"paging":{"next":"\\ud800"}}', None),  # the whole decode repairs it
        (b'{"hotlines":[],"paging":{"next":"\xff"}}', None),  # not UTF-8: the whole decode replaces it
        (b'{"hotlines":[],"paging":{"next":"x"}}}', None),  # malformed
        (b'{"hotlines":[],"paging":{"next":"x"', None),
        (b'{"hotlines":[],"paging":' + b"[" * 100_000 + b"]" * 100_000 + b"}", None),  # too deep
        (b"", None),
        (b"paging", None),
    ],
)
def test_it_reads_the_envelopes_cursor_or_nothing(body, cursor):
    assert next_cursor(body) == cursor
    if cursor is not None:
        assert decoded_cursor(body) == cursor


def test_a_cursor_read_always_equals_the_decoded_one_even_on_mangled_answers():
    """Cut, doubled, spliced and escaped variants of a real answer: whenever a cursor is read from
    the end of valid JSON, it is the one the whole decode finds (invalid JSON fails the page when
    it is decoded, whatever was read from its end)."""
    rng = random.Random(18)
    base = json.dumps(
        {
            "hotlines": [
                {"id": str(n), "name": 'a"paging": {"next": "x"}}\\', "description": "paging"} for n in range(3)
            ],
            "paging": {"next": "c-1", "prev": ""},
        },
        ensure_ascii=rng.random() < 0.5,
    ).encode()
    pieces = [b'"paging"', b":", b"{", b"}", b'"next"', b'"x"', b"\\", b'"', b" ", b",", b"]", b"null"]
    read = 0
    for _ in range(5_000):
        body = bytearray(base)
        for _edit in range(rng.randint(1, 4)):
            at = rng.randrange(len(body) + 1)
            if rng.random() < 0.5:
                body[at:at] = rng.choice(pieces)
            else:
                del body[at : at + rng.randint(1, 8)]
        cursor = next_cursor(bytes(body))
        if cursor is not None and valid(bytes(body)):
            read += 1
            assert decoded_cursor(bytes(body)) == cursor, bytes(body)
    assert read > 100  # most mangled answers still end with their paging


class Upstream(EtelecomClient):
    """The client over a fake transport: pages of `size` hotlines; `bodies` replaces some answers."""

    def __init__(self, *, total: int, size: int, bodies: dict[int, bytes] | None = None) -> None:
        super().__init__("http://etelecom.invalid", "key")
        self.total, self.size, self.bodies = total, size, bodies or {}
        self.requested: list[int] = []

    def _request(self, method, body, **kwargs):
        start = int(body["paging"].get("after") or 0)
        number = start // self.size + 1
        self.requested.append(number)
        if number in self.bodies:
            return self.bodies[number]
        end = min(start + self.size, self.total)
        items = [{"id": str(n + 1), "hotline": f"1900{n:06d}"} for n in range(start, end)]
        return json.dumps({"hotlines": items, "paging": {"next": str(end) if end < self.total else ""}}).encode()


def test_the_next_request_goes_out_while_the_page_before_is_still_being_decoded():
    client = Upstream(total=500, size=100)
    decoding = threading.Event()
    release = threading.Event()
    decode = client._decode_page

    def slow_decode(listing, body, *, limit, page, cursor=None):
        if page == 2:
            decoding.set()
            assert release.wait(5)
        return decode(listing, body, limit=limit, page=page, cursor=cursor)

    client._decode_page = slow_decode
    pages = client.iter_hotline_pages(limit=100, read_ahead=True)
    first = next(pages)
    result: list = []
    reader = threading.Thread(target=lambda: result.extend(pages))
    reader.start()
    assert decoding.wait(5)
    for _ in range(100):  # page 2 is held in its decode; its cursor was followed already
        if 3 in client.requested:
            break
        threading.Event().wait(0.01)
    assert 3 in client.requested
    release.set()
    reader.join(5)
    assert [hotline.id for page in [first, *result] for hotline in page.hotlines] == [str(n) for n in range(1, 501)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"hotlines":[{"id":"x"}],"paging":{"next":"200"}}', "page 2"),  # a bad hotline, cursor readable
        (b'{"hotlines":[}],"paging":{"next":"200"}}', "malformed JSON on page 2"),
        (b'{"items":[],"paging":{"next":"200"}}', "has no 'hotlines' list"),
        (b'{"hotlines":' + b"1" * 10 + b',"paging":{"next":"200"}}', "is not a list"),
    ],
)
def test_a_bad_page_whose_cursor_was_read_early_fails_as_before(body, message):
    client = Upstream(total=500, size=100, bodies={2: body})
    with pytest.raises(exc.BadPayload, match=message):
        list(client.iter_hotline_pages(limit=100, read_ahead=True))


def test_empty_pages_that_go_on_are_still_refused():
    empty = {n: json.dumps({"hotlines": [], "paging": {"next": str(n * 100)}}).encode() for n in (2, 3, 4)}
    client = Upstream(total=1_000, size=100, bodies=empty)
    with pytest.raises(exc.BadPayload, match="3 empty pages in a row"):
        list(client.iter_hotline_pages(limit=100))


def test_a_repeated_cursor_read_early_is_still_refused():
    client = Upstream(
        total=1_000, size=100, bodies={3: json.dumps({"hotlines": [], "paging": {"next": "200"}}).encode()}
    )
    with pytest.raises(exc.BadPayload, match="same paging cursor twice"):
        list(client.iter_hotline_pages(limit=100))
