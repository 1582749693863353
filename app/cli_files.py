"""``scoregate files show``: a response or reject file (EBCDIC, packed decimals) as a readable table."""

from __future__ import annotations

from pathlib import Path

import click

MAX_CELL = 40
"""Longest cell shown (a reject's copy of the whole input record is cut)."""


def _cell(value: object, scale: int) -> str:
    if isinstance(value, str):
        text = value
    elif scale:
        text = f"{int(value) / 10**scale:.{scale}f}"
    else:
        text = str(int(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def render(data: bytes, codec, limit: int | None = None) -> list[str]:  # noqa: ANN001 - a RecordCodec
    """One table per record type, records in file order; the problems of records that do not decode."""
    batch = codec.decode(codec.split(data, final=True))
    lines: list[str] = []
    for name, part in batch.parts.items():
        if not len(part):
            continue
        fields = [f for f in part.record_type.data_fields if f.name in part.columns]
        rows = [[str(batch.start + int(i) + 1)] for i in part.index[:limit]]
        for f in fields:
            column = part.columns[f.name]
            for row, value in zip(rows, column[:limit].tolist()):
                row.append(_cell(value, f.scale))
        header = ["#", *(f.name for f in fields)]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        more = f", first {limit} shown" if limit is not None and len(part) > limit else ""
        lines += ["", f"{name} ({len(part)} record{'s' if len(part) != 1 else ''}{more})"]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    for problem in batch.explain():
        lines.append(f"record {batch.start + problem.record + 1}: {problem.reason}: {problem.message}")
    return lines


@click.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--job", "job_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="the file job that wrote it (layouts, code page) [the demo job]")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="records shown per record type")
def show(file: Path, job_file: Path | None, limit: int) -> None:
    """Print a response file (NAME.RSP) or a reject file (NAME.REJ) as tables, in the job's layouts."""
    from scoregate.adapters.files.config import FileJobConfig
    from scoregate.adapters.files.rejects import RejectEncoder
    from scoregate.app.paths import DEFAULTS_DIR

    config = FileJobConfig.load(job_file or DEFAULTS_DIR / "files" / "loans.toml")
    if file.name.endswith(config.reject_suffix):
        codec = RejectEncoder(config.input_codec, config.request).codec
    elif file.name.endswith(config.response_suffix):
        codec = config.output_codec
    else:
        raise click.UsageError(f"{file.name} is neither a response ({config.response_suffix}) nor a reject "
                               f"({config.reject_suffix}) file of job {config.name!r}")
    click.echo(f"{file} ({file.stat().st_size} bytes, job {config.name!r})")
    click.echo("\n".join(render(file.read_bytes(), codec, limit)))
