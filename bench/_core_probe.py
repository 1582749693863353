"""``scoregate core serve`` unchanged, plus one hook to see the micro-batch sizes it reached.

    python bench/_core_probe.py SIZES.json core serve --address 127.0.0.1:0 ...

Runs the real CLI in this process with ``CoreServer`` swapped for a subclass whose ``stop()``
first writes ``MicroBatcher.batch_sizes`` (the sizes of the last 1000 micro-batches) to
SIZES.json. The request path is the core's own; only shutdown gains the dump.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import scoregate.core.server as server_module
from scoregate.app.cli import main


def install(out: Path) -> None:
    class ProbedServer(server_module.CoreServer):
        async def stop(self, grace: float | None = None) -> None:
            out.write_text(json.dumps(list(self.batcher.batch_sizes)))
            await super().stop(grace)

    server_module.CoreServer = ProbedServer  # the CLI imports it when `core serve` runs


if __name__ == "__main__":
    install(Path(sys.argv.pop(1)))
    main()
