# Sourced by the scripts that create a Python virtual environment (Tests/Clients/setup.sh,
# Benchmarks/peers/setup.sh, scripts/postgres.sh): one place that finds an interpreter able to create one.
#
#   . "$ROOT/scripts/python.sh"; python="$(python_for_venv [EXTRA_DEBIAN_PACKAGES...])"

# Prints a python3 that can create a venv; installs Debian's python3-venv (and any extra packages named)
# when none can.
python_for_venv() {
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    printf 'python: no python3 with venv/ensurepip; installing Debian'"'"'s python3-venv %s\n' "$*" >&2
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
    "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
    "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends python3-venv "$@" </dev/null >&2
    echo /usr/bin/python3
}
