#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379: start the installed one, or install Debian's
# package first. Loopback only, no persistence needed by the tests (each uses its own key prefix).
# Tests never skip for a missing server.
set -euo pipefail

answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if command -v redis-cli >/dev/null 2>&1 && answers; then exit 0; fi

if ! command -v redis-server >/dev/null 2>&1; then
    echo "ensure_redis: installing redis-server (loopback only)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The package's own service may not start in a container; it is started below either way.
    apt-get install -y -qq redis-server >/dev/null
fi

if ! answers; then
    echo "ensure_redis: starting redis-server on 127.0.0.1:6379" >&2
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
fi
for _ in $(seq 1 30); do
    if answers; then exit 0; fi
    sleep 1
done
echo "ensure_redis: redis-server did not answer on 127.0.0.1:6379 within 30 s" >&2
exit 1
