"""Configuration of one drop-directory job: where files come and go, their layouts, the mapping."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.adapters.codecs.base import Shape, format_class
from scoregate.adapters.codecs.copybook_files import read_copybook
from scoregate.adapters.codecs.fixedwidth import Layout, LayoutError, RecordCodec, RecordType, codepage
from scoregate.adapters.configfile import read_config_file
from scoregate.adapters.files.claim import CompletionRule
from scoregate.adapters.mapping import RequestMapping, ResponseMapping

DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
# 8,192 demo records (200 bytes) keep a chunk's bytes and columns near a 2 MB L2 cache: the gateway
# spent 2.3 us of CPU per record against 2.8 at 32,768, the core the same (bench/_files_run.py
# --batch-records, runs interleaved).
DEFAULT_BATCH_RECORDS = 8_192
BATCH_FORMAT = "fixedwidth"
"""The batch format (``FORMATS[Shape.BATCH]``) the job's records are read and written in: the
fixed-width engine, looked up by name like every format, so that a re-registered engine is used."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordLayout(_Strict):
    """A copybook with its record types (header, detail, trailer) chosen by a type field."""

    copybook: Path
    """Copybook file; relative paths resolve against the job's ``base_dir``."""
    encoding: str = "cp037"
    """Code page: ascii / latin-1, or EBCDIC cp037, cp273, cp277, cp278, cp280, cp284, cp285, cp297,
    cp500, cp871, cp1047 and the euro variants cp1140-cp1149 (also as ``037``, ``ibm-1141`` ...)."""
    recfm: Literal["F", "FB", "V", "VB", "VS", "VBS", "LS"] = "FB"
    """F/FB fixed; V/VB with RDWs; VS/VBS spanned; LS text lines (a text-mode transfer: records end
    at a newline, short lines are padded with spaces)."""
    sign_convention: Literal["ebcdic", "ascii"] = "ebcdic"
    """ASCII files (latin-1 / ascii) only: how overpunched zoned signs are written, ``ebcdic`` as an
    EBCDIC file translated to ASCII has them ({ABCDEFGHI / }JKLMNOPQR) or ``ascii`` as GnuCOBOL and
    Micro Focus write them by default (a plain digit positive, p-y negative). Both are read."""
    line_end: bool = False
    """F/FB text files with a newline after each record."""
    block_descriptors: bool = False
    """VB/VBS: the transfer kept the block descriptor words (BDWs) in front of each block."""
    floating_point: Literal["hfp", "ieee", "ieee-le"] = "hfp"
    """COMP-1/COMP-2: IBM hexadecimal floating point (mainframe files), IEEE 754 big-endian, or
    IEEE 754 little-endian (COBOL on x86)."""
    type_field: str | None = None
    """The field whose value says the record type; None for a file of detail records only."""
    header: str | None = None
    """Record-type group of the header record and its type-field value, e.g. ``LR-HEADER-REC``."""
    detail: str
    trailer: str | None = None
    type_values: dict[str, str] = {}
    """Type-field value -> record-type group, e.g. {"H": "LR-HEADER-REC", "D": ..., "T": ...}."""

    @model_validator(mode="after")
    def _known_code_page(self) -> RecordLayout:
        try:
            codepage(self.encoding, self.sign_convention)
        except LayoutError as exc:
            raise ValueError(str(exc)) from None
        return self

    def codec(self, layout: Layout) -> RecordCodec:
        """The record codec of this side of the job: framing and code page as configured."""
        return format_class(BATCH_FORMAT, Shape.BATCH)(layout, self.encoding, self.recfm, line_end=b"\n" if self.line_end else None,
                           block_descriptors=self.block_descriptors, sign_convention=self.sign_convention)


class TrailerCheck(_Strict):
    """What the input trailer must agree with (a mismatch rejects the whole file)."""

    count: str | None = None
    """Trailer field holding the number of detail records."""
    totals: dict[str, str] = {}
    """Trailer field -> detail field whose sum over all detail records it must equal. Exact
    decimal fields only (zoned, packed, binary, edited): a COMP-1/COMP-2 float is refused at load."""


class ResponseTrailer(_Strict):
    count: str | None = None
    """Response trailer field for the number of scored records."""
    rejects: str | None = None
    """Response trailer field for the number of rejected records."""
    totals: dict[str, str] = {}
    """Response trailer field -> input detail field summed over the scored records (exact decimal
    fields only, as ``trailer_check.totals``)."""


class RejectField(_Strict):
    """One field of a reject record laid out by the job's own copybook."""

    target: str
    """Field of the reject copybook's record."""
    source: Literal["record_number", "reason_code", "reason_text", "field", "input", "record"]
    """``record_number`` (1-based in the input file, the header is 1), ``reason_code``
    (BAD_PACKED_SIGN, OUT_OF_RANGE, UNKNOWN_CATEGORY, ...), ``reason_text`` (what is wrong),
    ``field`` (the caller's field name, blank for a record-level reason), ``input`` (``field`` of
    the input detail record, its bytes as they came: the lengths must be equal), ``record`` (the
    input record's bytes, as many as the target holds)."""
    field: str | None = None
    """For ``input``: the input detail field copied."""

    @model_validator(mode="after")
    def _field_for_input(self) -> RejectField:
        if (self.source == "input") != (self.field is not None):
            raise ValueError(f"{self.target}: 'field' names the input field an 'input' reject field copies, and only then")
        return self


class RejectLayout(_Strict):
    """Reject records laid out by a copybook of the job's, instead of the built-in layout
    (``rejects.py``); written in the input's RECFM and code page either way."""

    copybook: Path
    """Copybook of the reject record; relative paths resolve against the job's file."""
    record: str | None = None
    """Its record type, when the copybook has several."""
    fields: tuple[RejectField, ...] = Field(min_length=1)


class FileJobConfig(_Strict):
    """One drop-directory job (a pair of legacy record layouts and where their files go)."""

    name: str
    base_dir: Path = Path(".")
    """Relative paths below resolve against it (set to the config file's folder by the loader)."""
    inbox: Path = Path("inbox")
    work: Path = Path("work")
    outbox: Path = Path("outbox")
    archive: Path = Path("archive")
    error: Path = Path("error")
    ledger: Path = Path("ledger.sqlite")
    pattern: str = "*"
    """Glob of input names in the inbox (done files are never inputs)."""
    done_suffix: str | None = ".done"
    """Input is complete when NAME + suffix exists (recommended: the sender says when it is done).
    None: by stable size (``stable_s``, ``min_age_s``), which is unsafe for a writer that pauses
    longer than ``stable_s`` (a slow link, a job step waiting): its file is taken while still
    growing and set aside as truncated. Use it only for senders that cannot write a done file."""
    stable_s: float = Field(default=5.0, ge=0)
    """Without a done file: how long size and modification time must stay unchanged; longer than
    any pause of the sender."""
    min_age_s: float = Field(default=2.0, ge=0)
    """Without a done file: the least age (since last modification) of a complete file."""
    output_done_suffix: str | None = ".done"
    """Written after the response and reject files are complete, for the job that collects them."""
    response_suffix: str = ".RSP"
    reject_suffix: str = ".REJ"
    on_duplicate: Literal["skip", "process"] = "skip"
    """A file whose content was processed before: set aside with a notice, or process again."""
    poll_s: float = Field(default=1.0, gt=0)
    retry_s: float = Field(default=30.0, gt=0)
    """How long a file waits in the inbox after the core was unavailable."""
    claim_lease_s: float | None = Field(default=300.0, gt=0)
    """A claim of another host is taken over when its owner has not refreshed it for this long
    (owners refresh theirs every fifth of it while the job runs). Keep it well above the clock
    difference between the hosts sharing the directories and above any pause a gateway may take.
    None: claims of other hosts are never taken over."""
    chunk_bytes: int = Field(default=DEFAULT_CHUNK_BYTES, ge=4096)
    batch_records: int = Field(default=DEFAULT_BATCH_RECORDS, ge=1)
    """Records per scoring call: large enough to amortise the call, small enough to bound memory."""
    input: RecordLayout
    output: RecordLayout
    reference: str
    """Detail field with the caller's reference, copied into the response and reject records."""
    request: RequestMapping
    """Detail fields -> model features (sources are field names)."""
    response: ResponseMapping
    """Result -> response detail fields (targets are field names)."""
    header_copy: dict[str, str] = {}
    """Response header field -> input header field copied as is."""
    header_model_field: str | None = None
    """Response header field that names the model (name:version) used."""
    trailer_check: TrailerCheck = TrailerCheck()
    response_trailer: ResponseTrailer = ResponseTrailer()
    reject: RejectLayout | None = None
    """Reject records by a copybook of the job's; None: the built-in layout (``rejects.py``)."""

    @model_validator(mode="after")
    def _trailer_needs_a_trailer(self) -> FileJobConfig:
        if (self.trailer_check.count or self.trailer_check.totals) and not self.input.trailer:
            raise ValueError("trailer_check needs input.trailer")
        return self

    @classmethod
    def load(cls, path: Path | str, **overrides: Any) -> FileJobConfig:
        """Read a job from a JSON, YAML or TOML file; ``overrides`` replace top-level keys (the
        gateway's ``set``), as the other channels' ``load`` does.

        ``base_dir`` (default: the file's folder) and the copybook paths resolve against the
        file's folder, so a config and its copybooks move together. Every field the job names is
        then looked up in its copybooks (``preflight.check_job``): raises ``JobProblems`` listing
        each one that is not there, or a copybook that is missing or does not parse.
        """
        path = Path(path).resolve()
        data = {**read_config_file(path), **overrides}
        folder = path.parent
        data["base_dir"] = str(folder / data.get("base_dir", "."))
        for side in ("input", "output", "reject"):
            if isinstance(data.get(side), dict) and "copybook" in data[side]:
                data[side]["copybook"] = str(folder / data[side]["copybook"])
        config = cls.model_validate(data)
        from scoregate.adapters.files.preflight import check_job  # it reads the copybooks

        check_job(config, str(path))
        return config

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else self.base_dir / value

    @property
    def completion(self) -> CompletionRule:
        return CompletionRule(done_suffix=self.done_suffix, stable_s=self.stable_s, min_age_s=self.min_age_s)

    def _layout(self, spec: RecordLayout) -> Layout:
        groups = [g for g in (spec.header, spec.detail, spec.trailer) if g]
        layout = read_copybook(self.path(spec.copybook), record_types=groups, floating_point=spec.floating_point)
        if spec.type_field:
            layout = layout.with_selector(spec.type_field, spec.type_values)
        return layout

    @cached_property
    def input_codec(self) -> RecordCodec:
        return self.input.codec(self._layout(self.input))

    def reject_record(self) -> RecordType | None:
        """The record type of ``reject`` (None: the built-in layout); raises LayoutError, KeyError, OSError."""
        if self.reject is None:
            return None
        layout = read_copybook(self.path(self.reject.copybook),
                               record_types=[self.reject.record] if self.reject.record else None)
        return layout.record_type(self.reject.record) if self.reject.record else layout.record_types[0]

    @cached_property
    def output_codec(self) -> RecordCodec:
        return self.output.codec(self._layout(self.output))

    def type_value(self, spec: RecordLayout, group: str) -> str:
        return next(value for value, name in spec.type_values.items() if name == group)
