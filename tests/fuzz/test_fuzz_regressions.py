"""What fuzzing found, pinned as plain tests: each input is refused with the decoder's own error."""

from __future__ import annotations

import pytest

from scoregate.adapters.codecs.fixedwidth import LayoutError, parse_copybook
from scoregate.adapters.codecs.json import JsonFormat
from scoregate.core.errors import InvalidInput, ViolationCode


@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a":' * 100_000])
def test_json_nested_deeper_than_the_parser_goes_is_malformed(payload: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        JsonFormat().read(payload)  # was a RecursionError escaping the decoder
    (violation,) = refused.value.violations
    assert violation.code is ViolationCode.MALFORMED and "nested deeper than" in violation.message


@pytest.mark.parametrize("text", ["\xb9\xb9 REC.\n   05 A PIC X.\n", "01 REC.\n   05 A PIC X OCCURS \xb2 TIMES.\n"])
def test_a_copybook_number_in_superscript_digits_is_a_layout_error(text: str) -> None:
    with pytest.raises(LayoutError):
        parse_copybook(text)  # str.isdigit() took '¹' and '²', int() then raised ValueError
