#!/usr/bin/env bash
# The test command: a fresh virtual environment, the package installed from this tree (not
# editable, so a missing dependency or package-data entry fails here), the services the tests
# need (a RabbitMQ broker, PostgreSQL, GnuCOBOL), then pytest. Extra arguments go to pytest.
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
bash scripts/ensure_postgres.sh
bash scripts/ensure_redis.sh
bash scripts/ensure_gnucobol.sh

# The second SOAP client of the tests: node-soap at the versions package-lock.json pins.
# A failed install fails the run: those tests never skip.
command -v npm >/dev/null || { echo "scripts/test.sh: npm (Node.js 18 or later) is needed for the node-soap client tests" >&2; exit 1; }
(cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error)
# The Node.js producer example (examples/node): amqplib at the version its package-lock.json pins.
(cd examples/node && npm ci --no-audit --no-fund --loglevel=error)
# The third, JAX-WS (tests/clients/java): Debian's reference implementation for Java 17.
if ! command -v wsimport >/dev/null 2>&1 || [ ! -f /usr/share/java/jaxws-rt.jar ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jaxws libjaxws-java >/dev/null
fi
# The Java producer example (examples/java): Debian's RabbitMQ Java client and the SLF4J jars it
# needs at run time (libslf4j-java, a dependency of the client's package).
if [ ! -f /usr/share/java/amqp-client.jar ] || [ ! -f /usr/share/java/slf4j-nop.jar ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librabbitmq-client-java libslf4j-java >/dev/null
fi

# The standard V2 client (tritonclient) and Seldon MLServer with its XGBoost runtime, each in an
# environment of its own (tritonclient pins protobuf below scoregate's), cached between runs
# under ${XDG_CACHE_HOME:-~/.cache}/scoregate/venvs: made here rather than inside a test's timeout.
"$VENV/bin/python" scripts/side_venvs.py

# The venv's pytest (not `python -m pytest`) keeps the source folders off sys.path: tests import
# the installed scoregate.core, never the bare core/ folder.
"$VENV/bin/pytest" "$@"
