#!/usr/bin/env bash
# Render throughput of `pipecat cloud agent logs --format text` on 100,000
# lines fetched from a local cloud: median wall time (hence lines/s) and
# median time to the first line on stdout.
# Needs hyperfine, curl and python3.
# Usage: benches/logs.sh            (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine curl python3; do
    command -v "$tool" >/dev/null || { echo "benches/logs.sh needs $tool" >&2; exit 2; }
done

LINES=100000
cargo build --release --quiet
BIN="$PWD/target/release/pipecat"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" cloud local serve --port 0 --data-dir "$WORK/data" --max-log-lines-per-second 1000000 \
    --image "lines/bot=seq -f 'INFO line %.0f' 1 $LINES" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
eval "$("$BIN" cloud local env --data-dir "$WORK/data")"
export PIPECAT_API_HOST PIPECAT_DEFAULT_PUBLIC_KEY PIPECAT_PRIVATE_API_KEY PIPECAT_TOKEN PIPECAT_ORG
export PIPECAT_CONFIG_PATH="$WORK/config.toml" NO_COLOR=1

curl -sf -X POST "$PIPECAT_API_HOST/v1/agents" -H "Authorization: Bearer $PIPECAT_PRIVATE_API_KEY" \
    -H 'content-type: application/json' -d '{"serviceName":"lines","image":"lines/bot:1"}' >/dev/null
"$BIN" cloud agent start lines >/dev/null
# Stored once the server has logged the process's exit (after its last line).
for _ in $(seq 600); do
    n=$("$BIN" cloud agent logs lines -n 1 --query "exited with code 0" | wc -l)
    [ "$n" -gt 0 ] && break; sleep 0.2
done
got=$("$BIN" cloud agent logs lines -n 200000 | grep -c 'INFO line' || true)
[ "$got" -eq "$LINES" ] || { echo "expected $LINES stored lines, found $got" >&2; exit 1; }

CMD="$BIN cloud agent logs lines -n $LINES --format text"
hyperfine -N --warmup 1 --runs 10 --output null --export-json "$WORK/logs.json" "$CMD" >/dev/null
python3 - "$WORK/logs.json" "$LINES" "$BIN" <<'PY'
import json, statistics, subprocess, sys, time
times = json.load(open(sys.argv[1]))["results"][0]["times"]
lines, binary = int(sys.argv[2]), sys.argv[3]
median = statistics.median(times)
print(f"agent logs -n {lines} --format text > /dev/null: median {median*1000:.0f} ms "
      f"({len(times)} runs) = {lines/median:,.0f} lines/s")
firsts = []
for _ in range(10):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "cloud", "agent", "logs", "lines", "-n", str(lines),
                          "--format", "text"], stdout=subprocess.PIPE)
    p.stdout.readline()
    firsts.append(time.perf_counter() - t0)
    p.stdout.read(); p.wait()
print(f"time to first line: median {statistics.median(firsts)*1000:.0f} ms (10 runs)")
PY
