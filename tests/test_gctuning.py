"""Garbage collection is relaxed only while a scan or a report is built, and put back however they end."""

from __future__ import annotations

import gc

import pytest

from tests.raw_snapshot import snapshot
from vpce_audit.app.gctuning import ALLOCATIONS_PER_COLLECTION, fewer_collections
from vpce_audit.report.model import build_report


def test_inside_the_block_collections_are_rarer_and_what_lived_before_is_frozen():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], ALLOCATIONS_PER_COLLECTION)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_settings_come_back_when_the_block_raises():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a unit failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_blocks_nest_and_only_the_outermost_unfreezes():
    before = gc.get_threshold()
    with fewer_collections():
        with fewer_collections():
            pass
        # The inner block ended: what the outer block froze stays frozen (a frozen object may still be freed,
        # so the count is not exact, but an unfreeze empties it), and its threshold stays raised.
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == max(before[0], ALLOCATIONS_PER_COLLECTION)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_building_a_report_leaves_the_collector_as_it_found_it():
    before = gc.get_threshold()
    report = build_report(snapshot())
    assert report.findings == () and report.endpoints == ()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
