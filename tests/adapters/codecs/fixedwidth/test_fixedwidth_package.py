"""The engine stays pure: bytes and numpy in and out, no I/O, no transport, no canonical model."""

from __future__ import annotations

import ast
from pathlib import Path

import scoregate.adapters.codecs.fixedwidth as fixedwidth

ALLOWED = {"__future__", "abc", "codecs", "collections", "dataclasses", "decimal", "difflib", "ebcdic", "enum", "re", "threading", "types",
           "typing", "numpy", "pydantic"}


def test_engine_imports_nothing_that_does_io() -> None:
    found = {}
    for path in Path(fixedwidth.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] not in ALLOWED:
                    found[f"{path.name}: {name}"] = True
    assert not found, sorted(found)


def test_public_names_are_exported() -> None:
    assert set(fixedwidth.__all__) <= set(dir(fixedwidth))
    for name in ("RecordCodec", "parse_copybook", "layout_from_spec", "DecodedBatch", "Reason", "LayoutError"):
        assert name in fixedwidth.__all__
