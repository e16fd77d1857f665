"""plan_many postpones the collector's full passes, and restores them."""

from __future__ import annotations

import gc
import threading

import pytest

from ivig_core import batch


def test_thresholds_are_restored_after_a_batch() -> None:
    """The thresholds after plan_many are those before, even on an error."""
    before = gc.get_threshold()
    assert batch.plan_many([]) == []
    assert gc.get_threshold() == before
    with pytest.raises(TypeError):
        batch.plan_many(None)  # type: ignore[arg-type]  # not iterable
    assert gc.get_threshold() == before


def test_full_passes_are_postponed_while_planning() -> None:
    """Inside, only the oldest generation's threshold changes."""
    before = gc.get_threshold()
    with batch._full_collections_postponed():
        inside = gc.get_threshold()
        assert inside[:2] == before[:2]
        assert inside[2] == batch._POSTPONED
    assert gc.get_threshold() == before


def test_overlapping_batches_restore_once_the_last_ends() -> None:
    """Batches in several threads leave the thresholds as they found them."""
    before = gc.get_threshold()
    inner = batch._full_collections_postponed()
    outer = batch._full_collections_postponed()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert gc.get_threshold()[2] == batch._POSTPONED  # one batch still runs
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == before
    threads = [threading.Thread(target=batch.plan_many, args=([],)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.get_threshold() == before


def test_a_disabled_threshold_is_left_alone() -> None:
    """A threshold of 0 (collection off) is not switched back on."""
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with batch._full_collections_postponed():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
