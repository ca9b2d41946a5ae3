#!/usr/bin/env bash
# Captures the real app, driven by keystrokes in tmux, into assets/screen-*.txt (used by README).
# Usage: tools/capture_screens.sh   (needs tmux; builds the release binary, or uses $FITCHECK_BIN:
# the screens do not depend on the build profile)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FITCHECK_BIN:-}
if [ -z "$bin" ]; then
    cargo build --release -q
    bin="$PWD/target/release/fitcheck"
fi
empty=$(mktemp -d)
capture() { # name, hardware, keys...
    local name=$1 hw=$2
    shift 2
    tmux kill-session -t fitcheck-capture 2>/dev/null || true
    tmux new-session -d -s fitcheck-capture -x 110 -y 32 \
        "FITCHECK_CONFIG_DIR=$empty NO_COLOR=1 $bin --no-default-model-dirs -H $hw"
    sleep 2
    for k in "$@"; do
        tmux send-keys -t fitcheck-capture "$k"
        sleep 0.3
    done
    tmux capture-pane -p -t fitcheck-capture >"assets/screen-$name.txt"
    tmux kill-session -t fitcheck-capture
}
capture browser m4-pro-48 / "qwen3 30b-a3b 2507" Enter + +
capture compare m4-pro-48 T
capture guide m4-pro-48 B
rm -rf "$empty"
