"""The one helper the suite waits with (tests/waiting.py)."""

import time

import pytest

from tests.waiting import wait_until


def test_returns_the_first_truthy_value_without_waiting_longer():
    calls = []

    def third_time():
        calls.append(1)
        return "ready" if len(calls) == 3 else None

    started = time.monotonic()
    assert wait_until(third_time, 5) == "ready"
    assert len(calls) == 3 and time.monotonic() - started < 1


def test_fails_at_the_deadline_saying_what_did_not_happen():
    started = time.monotonic()
    with pytest.raises(AssertionError, match="the parcel arriving did not happen within 0.1 s"):
        wait_until(lambda: False, 0.1, what="the parcel arriving")
    assert 0.1 <= time.monotonic() - started < 1
    with pytest.raises(AssertionError, match="details known late"):
        wait_until(lambda: 0, 0.05, what=lambda: "details known late")


def test_a_lenient_wait_returns_the_last_value():
    assert wait_until(lambda: [], 0.05, strict=False) == []
