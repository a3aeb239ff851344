"""The one reading of an ID from a request: ASCII digits within the database's integer range."""

import pytest

from hotlines.ids import ID_MAX, id_parse, int_parse


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("0042", 42),
        (str(ID_MAX), ID_MAX),
        (7, 7),
        ("", None),
        (None, None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1_000", None),
        ("1e3", None),
        ("0x10", None),
        ("²", None),  # "²".isdigit() is True, and int("²") raises
        ("١٢٣", None),  # Arabic-Indic digits: int("١٢٣") is 123
        ("１２", None),  # fullwidth digits: int("１２") is 12
        ("\x001", None),
        (str(ID_MAX + 1), None),
        ("99999999999999999999999", None),
        ("9" * 5000, None),
        (ID_MAX + 1, None),
        (0, None),
        (True, None),
        (["1"], None),
    ],
)
def test_id_parse(raw, expected):
    assert id_parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), ("-3", -3), ("0", 0), ("", None), (None, None), ("٢", None), ("1_0", None), (" 2", None),
     ("-", None), ("1" * 12, None), ("1" * 11, int("1" * 11))],
)  # fmt: skip
def test_int_parse(raw, expected):
    assert int_parse(raw) == expected
