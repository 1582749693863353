"""Fixtures for the fixed-width engine tests (sample data lives in fixedwidth_samples.py)."""

from __future__ import annotations

import pytest

from scoregate.adapters.codecs.fixedwidth import Layout, RecordCodec, parse_copybook

from fixedwidth_samples import REQUEST_COPYBOOK, REQUEST_TYPES


@pytest.fixture(scope="session")
def request_layout() -> Layout:
    return parse_copybook(REQUEST_COPYBOOK).with_selector("REC-TYPE", REQUEST_TYPES)


@pytest.fixture(scope="session")
def request_codec(request_layout: Layout) -> RecordCodec:
    return RecordCodec(request_layout, "cp037", "FB")
