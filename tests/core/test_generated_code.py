"""The committed gRPC code must be what scripts/gen_proto.py makes from proto/ today."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lines that only record which protoc/grpcio version generated the file.
_VERSION_LINES = re.compile(r"^(# Protobuf Python Version:.*|\s+\d+,|GRPC_GENERATED_VERSION = .*)$", re.MULTILINE)


def _normalise(text: str) -> str:
    return _VERSION_LINES.sub("<version>", text)


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_proto", ROOT / "scripts" / "gen_proto.py")
    gen_proto = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_proto)
    fresh = {p.name: p for p in gen_proto.generate(tmp_path / "out")}
    committed = {p.name: p for p in (ROOT / "core" / "_generated").iterdir() if p.is_file()}
    assert sorted(fresh) == sorted(committed), "run: python scripts/gen_proto.py"
    for name, path in fresh.items():
        assert _normalise(path.read_text()) == _normalise(committed[name].read_text()), (
            f"core/_generated/{name} is stale: run python scripts/gen_proto.py"
        )
