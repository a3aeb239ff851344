"""ProcessMemo: values kept by key in a process, never more than its size."""

from hotlines.process_memo import ProcessMemo


def test_values_are_kept_by_key_and_made_once():
    memo = ProcessMemo(10)
    made = []
    assert memo.get_or_make("a", lambda: made.append("a") or 1) == 1
    assert memo.get_or_make("a", lambda: made.append("again") or 2) == 1
    assert made == ["a"] and memo.get("a") == 1 and memo.get("b") is None


def test_a_full_memo_starts_again_rather_than_grow():
    memo = ProcessMemo(3)
    for n in range(10):
        memo.put(n, n)
        assert len(memo) <= 3
    assert memo.get(9) == 9
    memo.put(9, "replaced")  # a key already there takes no room
    assert memo.get(9) == "replaced" and len(memo) == 1
    memo.clear()
    assert len(memo) == 0
