"""The format registry: two shapes (one message, records in columns), each name loadable, unknown
names answered with a suggestion, and no channel imported to find a format."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scoregate.adapters.codecs.base import (
    FORMATS,
    BatchFormat,
    Shape,
    UnknownFormat,
    format_class,
)
from scoregate.adapters.codecs.fixedwidth import RecordCodec, parse_copybook
from scoregate.app.paths import DEFAULTS_DIR


@pytest.mark.parametrize("name", sorted(FORMATS[Shape.MESSAGE]))
def test_every_message_format_loads_in_one_of_the_message_shapes(name: str) -> None:
    cls = format_class(name)
    assert cls.format_name == name
    if hasattr(cls, "Options"):  # one step: configured by name and options (a queue's format)
        assert {"read", "write", "accepts", "check_targets"} <= set(dir(cls))
        assert cls.Options.model_config["extra"] == "forbid"
    else:  # two steps: the request decides the answer's form (the SOAP body)
        assert {"open", "read", "encode"} <= set(dir(cls))


def test_unknown_names_get_a_suggestion_within_their_shape() -> None:
    with pytest.raises(UnknownFormat, match=r"unknown message format 'fixedwidht'; did you mean 'fixedwidth'\?"):
        format_class("fixedwidht")
    with pytest.raises(UnknownFormat, match=r"unknown batch format 'json' \(known: fixedwidth\)"):
        format_class("json", Shape.BATCH)


def test_the_fixed_width_message_format_needs_no_channel() -> None:
    # It used to register itself when the AMQP channel's config module was imported.
    code = (
        "import sys\n"
        "from scoregate.adapters.codecs.base import create_format\n"
        f"base = {str(DEFAULTS_DIR / 'amqp' / 'copybooks')!r}\n"
        "fmt = create_format('fixedwidth', {'request_copybook': base + '/LOANREQ.cpy', 'response_copybook': base + '/LOANRESP.cpy'})\n"
        "assert fmt.format_name == 'fixedwidth'\n"
        "assert not [m for m in sys.modules if m.startswith('scoregate.adapters.amqp')], 'an AMQP module was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_record_codec_is_the_registered_batch_format() -> None:
    assert format_class("fixedwidth", Shape.BATCH) is RecordCodec


class _CountingRecordCodec(RecordCodec):
    """The fixed-width engine under another registration: counts what it is asked to build."""

    built: list[str] = []

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _CountingRecordCodec.built.append(self.layout.name)


def test_the_file_job_builds_its_codecs_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from scoregate.adapters.files import FileJobConfig
    from scoregate.adapters.files.rejects import RejectEncoder

    monkeypatch.setitem(FORMATS[Shape.BATCH], "fixedwidth", f"{__name__}:_CountingRecordCodec")
    monkeypatch.setattr(_CountingRecordCodec, "built", [])
    config = FileJobConfig.load(DEFAULTS_DIR / "files" / "loans.toml")
    assert isinstance(config.input_codec, _CountingRecordCodec)
    assert isinstance(config.output_codec, _CountingRecordCodec)
    # Reject records are written by the input's own format, in its code page and framing.
    rejects = RejectEncoder(config.input_codec, config.request)
    assert isinstance(rejects.codec, _CountingRecordCodec) and rejects.codec.codepage == config.input_codec.codepage
    assert len(_CountingRecordCodec.built) == 3
