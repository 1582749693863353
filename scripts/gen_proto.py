"""Generate the gRPC Python code from proto/ into core/_generated/.

The one generator for the project (tests/core/test_generated_code.py regenerates into a temporary
directory and fails when the committed files differ). Run it after changing a .proto file:

    python scripts/gen_proto.py
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
OUT_DIR = ROOT / "core" / "_generated"
PACKAGE = "scoregate.core._generated"
# protoc writes `from scoregate.v1 import scoring_pb2` (`from inference import ...` for the vendored
# V2 protocol); the modules live flat in PACKAGE instead.
_IMPORT_RE = re.compile(r"^from (?:scoregate\.v1|inference) import (\w+_pb2)", re.MULTILINE)


def proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(out_dir: Path) -> list[Path]:
    """Run protoc for every .proto file and write flat, import-fixed modules into out_dir."""
    import tempfile
    from importlib.resources import files

    from grpc_tools import protoc

    well_known = str(files("grpc_tools") / "_proto")
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            "protoc",
            f"-I{PROTO_ROOT}",
            f"-I{well_known}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            *[str(p.relative_to(PROTO_ROOT)) for p in proto_files()],
        ]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        out_dir.mkdir(parents=True, exist_ok=True)
        for produced in sorted(Path(tmp).rglob("*.py*")):
            text = _IMPORT_RE.sub(rf"from {PACKAGE} import \1", produced.read_text())
            target = out_dir / produced.name
            target.write_text(text)
            written.append(target)
    init = out_dir / "__init__.py"
    init.write_text('"""protoc output, written by scripts/gen_proto.py. Never edit by hand."""\n')
    written.append(init)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path.relative_to(args.out.parent) if path.is_relative_to(args.out.parent) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
