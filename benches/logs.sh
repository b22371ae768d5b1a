#!/usr/bin/env bash
# `pipecat cloud agent logs` against its floors, measured in the same run,
# interleaved (benches/logs.py): wall time of `-n 100000` against curl
# fetching the same pages, client CPU against a typed-decode floor
# (examples/logs_floor.rs), time to the first line against curl fetching
# the first page, and peak RSS for 100,000 and 1,000,000 lines; then
# `--follow` of a session writing 50,000 lines/s for 10 s.
# Needs curl and python3.
# Usage: benches/logs.sh [CLIENT]   (builds the release binary first; CLIENT,
#        another `pipecat` binary to measure, e.g. an older build)
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "benches/logs.sh needs $tool" >&2; exit 2; }
done

cargo build --release --quiet --bin pipecat --example logs_floor
BIN="$PWD/target/release/pipecat"
CLIENT="$(realpath "${1:-$BIN}")"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# Above the default per-session line rate: every line written is stored.
"$BIN" cloud local serve --port 0 --data-dir "$WORK/data" --max-log-lines-per-second 100000000 \
    --image "lines/bot=seq -f 'INFO line %.0f' 1 100000" \
    --image "million/bot=seq -f 'INFO line %.0f' 1 1000000" \
    --image "steady/bot=i=0; while [ \$i -lt 100 ]; do seq -f 'n %.0f' \$((i*5000+1)) \$((i*5000+5000)); sleep 0.1; i=\$((i+1)); done" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
eval "$("$BIN" cloud local env --data-dir "$WORK/data")"
export PIPECAT_API_HOST PIPECAT_DEFAULT_PUBLIC_KEY PIPECAT_PRIVATE_API_KEY PIPECAT_TOKEN PIPECAT_ORG
# TZ=UTC: plain output then writes times as the floor does (`...Z`).
export PIPECAT_CONFIG_PATH="$WORK/config.toml" NO_COLOR=1 TZ=UTC

for agent in lines million; do
    curl -sf -X POST "$PIPECAT_API_HOST/v1/agents" -H "Authorization: Bearer $PIPECAT_PRIVATE_API_KEY" \
        -H 'content-type: application/json' -d "{\"serviceName\":\"$agent\",\"image\":\"$agent/bot:1\"}" >/dev/null
    "$BIN" cloud agent start "$agent" >/dev/null
done
# Stored once the server has logged each process's exit (after its last line).
for agent in lines million; do
    for _ in $(seq 1200); do
        n=$("$BIN" cloud agent logs "$agent" -n 1 --query "exited with code 0" | wc -l)
        [ "$n" -gt 0 ] && break; sleep 0.2
    done
done
curl -sf -X POST "$PIPECAT_API_HOST/v1/agents" -H "Authorization: Bearer $PIPECAT_PRIVATE_API_KEY" \
    -H 'content-type: application/json' -d '{"serviceName":"steady","image":"steady/bot:1"}' >/dev/null
python3 benches/logs.py "$CLIENT" "$PWD/target/release/examples/logs_floor" "$WORK/data" "$WORK" lines million steady
