#!/usr/bin/env bash
# CLI benchmarks against their targets, medians over repeated runs:
#   (a) `pipecat cloud --help`: wall time (target < 5 ms), peak RSS (< 10 MB)
#   (b) `pipecat cloud agent start` end to end against a running local
#       cloud (target < 20 ms), and its peak RSS
# Needs hyperfine and GNU time (Debian: apt-get install hyperfine time).
# Usage: benches/cli.sh            (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "benches/cli.sh needs $tool" >&2; exit 2; }
done

cargo build --release --quiet
BIN="$PWD/target/release/pipecat"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
median_ms() { python3 -c 'import json,sys,statistics; r=json.load(open(sys.argv[1]))["results"][0]["times"]; print(f"{statistics.median(r)*1000:.2f}")' "$1"; }
peak_kb() { # runs "$@" N times, prints the median peak RSS in KB
    local n=$1; shift
    for _ in $(seq "$n"); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | median
}

echo "binary: $BIN ($(stat -c %s "$BIN") bytes)"

echo "== (a) pipecat cloud --help"
hyperfine -N --warmup 20 --runs 300 --export-json "$WORK/help.json" "$BIN cloud --help" >/dev/null
echo "median wall time: $(median_ms "$WORK/help.json") ms   (target < 5 ms)"
echo "median peak RSS:  $(peak_kb 30 "$BIN" cloud --help) KB   (target < 10240 KB)"

echo "== (b) pipecat cloud agent start, local cloud"
"$BIN" cloud local serve --port 0 --data-dir "$WORK/data" --default-max-agents 100000 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
eval "$("$BIN" cloud local env --data-dir "$WORK/data")"
export PIPECAT_API_HOST PIPECAT_DEFAULT_PUBLIC_KEY PIPECAT_PRIVATE_API_KEY PIPECAT_TOKEN PIPECAT_ORG
export PIPECAT_CONFIG_PATH="$WORK/config.toml"
hyperfine -N --warmup 5 --runs 200 --export-json "$WORK/start.json" \
    "$BIN cloud agent start my-first-agent --data '{\"duration_secs\":1}'" >/dev/null
echo "median wall time: $(median_ms "$WORK/start.json") ms   (target < 20 ms)"
echo "median peak RSS:  $(peak_kb 20 "$BIN" cloud agent start my-first-agent --data '{"duration_secs":1}') KB"

