#!/usr/bin/env bash
# The test command: a fresh virtual environment, the package installed from this tree (not
# editable, so a missing dependency or package-data entry fails here), the services the tests
# need (a RabbitMQ broker, GnuCOBOL), then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=$(mktemp -d "${TMPDIR:-/tmp}/scoregate-test.XXXXXX")/venv
trap 'rm -rf "$(dirname "$VENV")"' EXIT

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet ".[test]"
# pip builds in the tree; keep the build's metadata out of the test run's import path.
rm -rf build ./*.egg-info

bash scripts/ensure_rabbitmq.sh
bash scripts/ensure_gnucobol.sh

# The venv's pytest (not `python -m pytest`) keeps the source folders off sys.path: tests import
# the installed scoregate.core, never the bare core/ folder.
"$VENV/bin/pytest" "$@"
