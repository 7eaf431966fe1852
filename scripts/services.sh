#!/usr/bin/env bash
# Services the store and crawl tests need: PostgreSQL on 127.0.0.1 (role and database
# tongxin_test) and Redis on 127.0.0.1:6379. Installs the distribution's packages if
# missing, starts what is not running, and prints the URLs; safe to run again.
# Usable by hand: eval "$(scripts/services.sh | grep '^export ')" sets the variables.
set -euo pipefail

PG_ROLE=tongxin_test
PG_PORT="${TONGXIN_PG_PORT:-5432}"  # for a cluster created here; an existing one keeps its port
REDIS_PORT="${TONGXIN_REDIS_PORT:-6379}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

missing=()
for package in postgresql redis-server; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing system packages: ${missing[*]}" >&2
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# PostgreSQL: the newest installed major version's cluster "main" (created if absent).
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    $sudo pg_createcluster "$version" main --port "$PG_PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    $sudo pg_ctlcluster "$version" main start >&2
fi
PG_PORT="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"  # the cluster's own
for _ in $(seq 1 30); do
    if $sudo -u postgres psql -p "$PG_PORT" -Atqc "SELECT 1" >/dev/null 2>&1 \
       || runuser -u postgres -- psql -p "$PG_PORT" -Atqc "SELECT 1" >/dev/null 2>&1; then
        break
    fi
    sleep 1
done
as_postgres() {
    if [ -n "$sudo" ]; then sudo -u postgres "$@"; else runuser -u postgres -- "$@"; fi
}
if [ "$(as_postgres psql -p "$PG_PORT" -Atqc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != "1" ]; then
    as_postgres psql -p "$PG_PORT" -qc "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_ROLE'" >&2
fi
if [ "$(as_postgres psql -p "$PG_PORT" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$PG_ROLE'")" != "1" ]; then
    as_postgres psql -p "$PG_PORT" -qc "CREATE DATABASE $PG_ROLE OWNER $PG_ROLE" >&2
fi

# Redis: a server of our own on the loopback address unless one already answers.
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
        --dir /tmp --logfile /tmp/tongxin-redis.log >&2
    for _ in $(seq 1 30); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.2
    done
fi

echo "export TONGXIN_TEST_PG=postgresql://$PG_ROLE:$PG_ROLE@127.0.0.1:$PG_PORT/$PG_ROLE"
echo "export TONGXIN_TEST_REDIS=redis://127.0.0.1:$REDIS_PORT/0"
