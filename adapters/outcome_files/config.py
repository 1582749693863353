"""The outcome file job's configuration, a file job's in miniature: folders, completion rule, a
layout (a copybook or a plain field list) and which fields hold the reference, date, outcome, amount.

    name = "outcomes"
    inbox = "outcomes/inbox"            # relative to base_dir (``scoregate up --workdir`` sets it)
    archive = "outcomes/archive"        # each file once read, with NAME.report beside it
    error = "outcomes/error"            # a file that cannot be read at all, with NAME.reason
    done_suffix = ".done"
    [layout]
    copybook = "OUTCOME.cpy"            # or: fields = [{name = "REF", type = "text", length = 12}, ...]
    encoding = "cp037"
    [fields]
    reference = "OC-APPL-NO"
    outcome_date = "OC-OUTCOME-DATE"
    outcome = "OC-OUTCOME"
    amount = "OC-AMOUNT"                # optional
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoregate.adapters.codecs.copybook_files import read_copybook
from scoregate.adapters.codecs.fixedwidth import Layout, LayoutError, RecordCodec, codepage
from scoregate.adapters.codecs.fixedwidth.declarative import FieldSpec, layout_from_spec
from scoregate.adapters.configfile import read_config_file


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OutcomeLayout(_Strict):
    """The records' layout: a copybook, or a plain list of fields (``fields``), and the framing."""

    copybook: Path | None = None
    """Copybook file (relative: to the job file's folder)."""
    record: str | None = None
    """The copybook's record (01 level or redefining group) holding one outcome; None: its only one."""
    fields: list[FieldSpec] | None = None
    """A plain layout instead of a copybook: ``{name, type = text|zoned|packed|binary, length | digits, scale}``."""
    encoding: str = "cp037"
    """Code page: ascii / latin-1 or an EBCDIC one (cp037, cp273, cp500, cp1047, cp1140-cp1149 ...)."""
    recfm: Literal["F", "FB", "V", "VB", "LS"] = "FB"
    """F/FB fixed records, V/VB with RDWs, LS text lines."""

    @model_validator(mode="after")
    def _one_layout(self) -> OutcomeLayout:
        if (self.copybook is None) == (self.fields is None):
            raise ValueError("give either layout.copybook or layout.fields")
        try:
            codepage(self.encoding)
        except LayoutError as exc:
            raise ValueError(str(exc)) from None
        return self


class OutcomeFields(_Strict):
    """Which field of a record holds what."""

    reference: str
    """The caller's reference the decision was audited under (the application number)."""
    outcome_date: str
    """YYYYMMDD (a number or text) or ISO text."""
    outcome: str
    """default / paid / written_off, or a code (D, P, W; more in ``outcome_codes``)."""
    amount: str | None = None


class OutcomeJobConfig(_Strict):
    name: str = "outcomes"
    base_dir: Path = Path(".")
    inbox: Path = Path("outcomes/inbox")
    archive: Path = Path("outcomes/archive")
    """Each file once read, with ``NAME.report``: how many outcomes, new, duplicate, contradictory, not read."""
    error: Path = Path("outcomes/error")
    """A file that cannot be read at all (wrong layout, not a multiple of the record length), with ``NAME.reason``."""
    pattern: str = "*"
    done_suffix: str | None = ".done"
    """A file is complete once NAME + this exists; None: once its size has not changed for ``stable_s``."""
    stable_s: float = Field(default=2.0, ge=0)
    poll_s: float = Field(default=1.0, gt=0)
    layout: OutcomeLayout
    fields: OutcomeFields
    outcome_codes: dict[str, Literal["default", "paid", "written_off"]] = {}
    """More codes of the outcome field, e.g. ``{ "1" = "default", "0" = "paid" }``."""

    @classmethod
    def load(cls, path: Path | str, **overrides: Any) -> OutcomeJobConfig:
        """Read the job from a TOML, JSON or YAML file; relative paths resolve against its folder."""
        path = Path(path).resolve()
        data = {**read_config_file(path), **overrides}
        data["base_dir"] = str(path.parent / data.get("base_dir", "."))
        if isinstance(data.get("layout"), dict) and data["layout"].get("copybook"):
            data["layout"]["copybook"] = str(path.parent / data["layout"]["copybook"])
        config = cls.model_validate(data)
        missing = [f"fields.{key} = {name!r} is not a field of the layout" for key, name in config.fields.model_dump().items()
                   if name and name not in {f.name for f in config.record_layout.record_types[0].data_fields}]
        if missing:
            raise ValueError(f"{path}: " + "; ".join(missing))
        return config

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else self.base_dir / value

    @cached_property
    def record_layout(self) -> Layout:
        spec = self.layout
        if spec.copybook is not None:
            return read_copybook(spec.copybook, record_types=[spec.record] if spec.record else None)
        return layout_from_spec({"name": self.name, "fields": [f.model_dump(exclude_defaults=True) for f in spec.fields]})

    @cached_property
    def codec(self) -> RecordCodec:
        return RecordCodec(self.record_layout, self.layout.encoding, self.layout.recfm)
