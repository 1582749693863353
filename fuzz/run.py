"""Run one fuzz target under atheris (coverage-guided, libFuzzer) for a bounded time.

    python fuzz/run.py TARGET [--seconds N] [--work DIR]

Reads the seed corpus ``fuzz/corpus/TARGET`` and past findings ``fuzz/regressions/TARGET`` (never
written to), keeps what it learns in
``--work`` (a temporary directory by default), and on a finding writes the input to
``--work/crash-*`` and exits non-zero; ``fuzz/regressions/TARGET/`` is where a finding goes once
fixed (tests/test_fuzz.py replays every file there).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from targets import TARGETS  # noqa: E402 - after the path fix-up above

# libFuzzer's per-input limits: a decoder that takes seconds or a gigabyte on one small input is a finding too.
_PER_INPUT_TIMEOUT_S = 10
_RSS_LIMIT_MB = 1536
_MAX_LEN = 8192


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--work", type=Path, default=None, help="corpus additions and findings [a temporary directory]")
    args = parser.parse_args()
    import atheris

    work = args.work or Path(tempfile.mkdtemp(prefix=f"fuzz-{args.target}-"))
    (work / "corpus").mkdir(parents=True, exist_ok=True)
    with atheris.instrument_imports(include=["scoregate"]):
        one_input = TARGETS[args.target]()
    # Past findings are read as seeds too: a fix that regresses fails at once.
    seeds = [str(d) for d in (HERE / "corpus" / args.target, HERE / "regressions" / args.target) if d.is_dir()]
    libfuzzer = [
        sys.argv[0], str(work / "corpus"), *seeds,
        f"-max_total_time={args.seconds}", f"-timeout={_PER_INPUT_TIMEOUT_S}", f"-rss_limit_mb={_RSS_LIMIT_MB}",
        f"-max_len={_MAX_LEN}", f"-artifact_prefix={work}/", "-print_final_stats=1",
    ]
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
