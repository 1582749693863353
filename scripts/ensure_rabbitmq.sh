#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672 (guest/guest): start the installed one, or
# install Debian's package bound to loopback first. Tests never skip for a missing broker.
set -euo pipefail

answers() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

if answers; then exit 0; fi

if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "ensure_rabbitmq: installing rabbitmq-server (loopback only)" >&2
    # Config before the package, so that the broker never listens beyond loopback.
    mkdir -p /etc/rabbitmq
    cat > /etc/rabbitmq/rabbitmq-env.conf <<'CONF'
NODE_IP_ADDRESS=127.0.0.1
NODE_PORT=5672
NODENAME=rabbit@localhost
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
    printf 'listeners.tcp.default = 127.0.0.1:5672\nloopback_users.guest = true\n' > /etc/rabbitmq/rabbitmq.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq rabbitmq-server >/dev/null
fi

echo "ensure_rabbitmq: starting rabbitmq-server" >&2
ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached || true
for _ in $(seq 1 90); do
    if answers; then exit 0; fi
    sleep 1
done
echo "ensure_rabbitmq: broker did not accept connections on 127.0.0.1:5672 within 90 s" >&2
exit 1
