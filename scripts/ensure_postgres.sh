#!/usr/bin/env bash
# Make sure a PostgreSQL answers on 127.0.0.1:5432 with trust authentication for local tests and a
# database `test`: start the installed cluster, or install Debian's package first. Tests use a
# schema each (tests/pg_support.py) and never skip for a missing server. The "server stopped
# mid-run" tests start a throwaway server of their own from the same binaries (initdb in a temp dir).
set -euo pipefail

answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if ! answers; then
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        echo "ensure_postgres: installing postgresql (loopback only)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
    fi
    VERSION=$(basename "$(ls -d /usr/lib/postgresql/*/ | sort -V | tail -1)")
    CONF=/etc/postgresql/$VERSION/main
    if [ -d "$CONF" ]; then
        # Loopback only, trust for local connections: a test machine's server, never a production one.
        sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$CONF/postgresql.conf"
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' > "$CONF/pg_hba.conf"
    fi
    echo "ensure_postgres: starting PostgreSQL $VERSION" >&2
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        pg_ctlcluster "$VERSION" main start || true
    else
        service postgresql start || true
    fi
    for _ in $(seq 1 60); do
        if answers; then break; fi
        sleep 1
    done
    answers || { echo "ensure_postgres: PostgreSQL did not accept connections on 127.0.0.1:5432 within 60 s" >&2; exit 1; }
fi

# The tests' database (trust authentication, user postgres).
if ! psql -h 127.0.0.1 -U postgres -d test -Atqc 'SELECT 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' >/dev/null
fi
