#!/usr/bin/env bash
# Install everything perftui and its tests need on Debian 12, as root.  Idempotent.
#
#   bash scripts/install-deps.sh          # system packages + bcc setup + `pip install .`
#   bash scripts/install-deps.sh --test   # ... + `pip install -e '.[test]'` (development, CI)
#
# Runs unattended (CI=true, no tty).  Quiet unless something fails; then it says what failed
# and shows the end of that step's output.
set -euo pipefail

usage() { echo "usage: $0 [--test]" >&2; exit 2; }
TEST=0
case "${1:-}" in
    --test) TEST=1 ;;
    "") ;;
    *) usage ;;
esac
[[ $# -le 1 ]] || usage

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
LOG=$(mktemp -t perftui-install.XXXXXX)
trap 'rm -f "$LOG"' EXIT

die() { echo "install-deps: error: $*" >&2; exit 1; }
say() { echo "install-deps: $*"; }

# Run a step with its output in $LOG; on failure show the tail and stop.
step() {
    local what=$1; shift
    if ! "$@" >"$LOG" 2>&1; then
        echo "install-deps: FAILED: $what" >&2
        echo "  command: $*" >&2
        tail -n 25 "$LOG" | sed 's/^/  | /' >&2
        exit 1
    fi
}

[[ $(id -u) -eq 0 ]] || die "must run as root (apt-get, mount); try: sudo bash $0 $*"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 only"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON=/path/to/python3.11+)"

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 --no-install-recommends)

# bcc (python3-bpfcc) is Debian's, not PyPI's: the PyPI "bcc" is an unrelated project.
# python3-venv: the install tests make a venv of the system's Python (tests/install).
packages=(tmux htop strace librsvg2-bin python3-bpfcc libbpfcc bpfcc-tools bpftool python3-venv)
# The real programs the tests hold perftui's figures against (and the load generator).
if [[ $TEST -eq 1 ]]; then packages+=(sqlite3 gzip apache2-utils); fi

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done

if [[ ${#missing[@]} -eq 0 ]]; then
    say "system packages already installed"
else
    step "apt-get update" apt-get update -q -o DPkg::Lock::Timeout=300
    say "installing ${missing[*]}"
    step "apt-get install ${missing[*]}" apt-get install "${APT_OPTS[@]}" "${missing[@]}"
fi

# Kernel headers (installed when none are, merged into a tree if need be) + tracefs; prints
# one line per thing it did.
bash probes/setup-bcc.sh | sed 's/^setup-bcc: /install-deps: /'

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1
if [[ $TEST -eq 1 ]]; then
    say "pip install -e '.[test]'"
    step "pip install -e .[test]" "$PYTHON" -m pip install -q -e '.[test]'
else
    say "pip install ."
    step "pip install ." "$PYTHON" -m pip install -q .
fi
# pyenv only sees new console scripts (py-spy, perftui) after a rehash.
if command -v pyenv >/dev/null; then pyenv rehash >/dev/null 2>&1 || true; fi

# The check that matters: can this interpreter import bcc and compile with it here?
# Fatal for --test (the tests need it); a warning otherwise, as perftui runs without eBPF.
if ! "$PYTHON" -c 'import sys
from perftui.probes import bccenv
r = bccenv.try_compile()
print("install-deps: bcc compile:", "ok" if r.ok else "FAILED:", r.detail)
if r.fix: print("install-deps: fix:", r.fix)
sys.exit(0 if r.ok else 1)'; then
    [[ $TEST -eq 1 ]] && die "bcc cannot compile a tracepoint program (see above)"
    echo "install-deps: warning: eBPF probes will be unavailable (see above)" >&2
fi
