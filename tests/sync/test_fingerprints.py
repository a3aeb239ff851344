"""A payload's fingerprint (`compare.canonical`) is written by orjson where orjson writes the very
text the json module writes, and by the json module elsewhere. A fingerprint that changed with
the encoder would make every stored hotline look changed at the next sync, so both are compared
here on hostile values, character by character."""

import json
import random

import pytest

from hotlines.services.sync import compare

# What the fingerprint has always been: the json module, sorted keys, compact, UTF-8 as is.
reference = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode

EVERY_ASCII = "".join(chr(code) for code in range(1, 128))  # NUL is dropped: its own test below
AWKWARD = "\u2028\u2029\u0085\u00e9\u1ec7\ufeff\u200b\ufffd\uffff\U0001f600\x7f"
SCALARS = [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, True, False, None, "", EVERY_ASCII, AWKWARD]


@pytest.mark.parametrize("value", SCALARS, ids=repr)
def test_scalars_are_written_as_the_json_module_writes_them(value):
    payload = {"id": "1", "value": value, value if isinstance(value, str) else "k": value}
    assert compare.canonical(payload)[1] == reference(payload)


def test_random_text_and_keys_are_written_as_the_json_module_writes_them():
    alphabet = EVERY_ASCII + AWKWARD
    pick = random.Random(20261204)
    for _ in range(2000):
        payload = {
            "".join(pick.choices(alphabet, k=pick.randint(0, 6))): "".join(
                pick.choices(alphabet, k=pick.randint(0, 20))
            )
            for _ in range(pick.randint(0, 8))
        }
        payload["n"] = pick.choice([pick.randint(-(2**63), 2**64 - 1), True, None])
        assert compare.canonical(payload)[1] == reference(payload)


@pytest.mark.parametrize(
    "value",
    [
        1e-07,  # orjson writes 1e-7
        2.5e-05,  # orjson writes 0.000025
        float("nan"),  # orjson writes null
        2**64,  # beyond what orjson writes
        -(2**63) - 1,
        {"nested": 1e-07},
        [1e-07, {"b": 1, "a": 2}],
    ],
    ids=repr,
)
def test_what_orjson_writes_differently_goes_to_the_json_module(value):
    payload = {"id": "1", "value": value}
    assert compare.canonical(payload)[1] == reference(payload)


def test_a_lone_surrogate_goes_to_the_json_module():
    payload = {"id": "1", "name": "a\ud800b"}  # decoding repairs these; the encoder must not differ anyway
    assert compare.canonical(payload)[1] == reference(payload)


def test_nul_characters_are_dropped_from_the_payload_and_its_text():
    raw, text = compare.canonical({"id": "1", "name": "a\x00b", "list": ["c\x00"]})
    assert raw == {"id": "1", "name": "ab", "list": ["c"]}
    assert text == '{"id":"1","list":["c"],"name":"ab"}'


def test_the_fingerprint_of_a_known_payload_is_unchanged():
    # Stored fingerprints must stay valid across releases: this one was made before orjson.
    payload = {"id": "42", "name": 'Công ty "A"\t\\', "is_free_charge": False, "owner_id": "7", "x": None}
    assert compare.content_hash(compare.canonical(payload)[1]) == (
        "68070c761aa3a760b0dd0c43c9d284fbf451fb8db6bb0e20542b03cc0566063b"
    )
