#!/usr/bin/env bash
# Deploying from a project folder, on a local cloud, release build:
# - time from `deploy` to ready for examples/pipecat-bot, cold (a new
#   context each run: upload, native build, deploy) and cached (the same
#   context again: no upload, no build), against the floor of deploying
#   the demo bot's image in the same run;
# - session start latency for the built bot against the demo bot's: the
#   public start request, and from that request to the bot's first own log
#   line (agent host up, /readyz, POST /bot, bot() running).
# Medians (p50) of several runs each.
# Needs python3 (the local cloud builds with it, and this script times).
# Usage: benches/deploy_builds.sh [RUNS]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "benches/deploy_builds.sh needs python3" >&2; exit 2; }
RUNS="${1:-5}"

cargo build --release --quiet
BIN="$PWD/target/release/pipecat"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -m 700 "$WORK/data"
"$BIN" cloud local serve --port 0 --data-dir "$WORK/data" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
eval "$("$BIN" cloud local env --data-dir "$WORK/data")"
export PIPECAT_API_HOST PIPECAT_DEFAULT_PUBLIC_KEY PIPECAT_PRIVATE_API_KEY PIPECAT_TOKEN PIPECAT_ORG
export PIPECAT_CONFIG_PATH="$WORK/config.toml" NO_COLOR=1
unset PIPECAT_PRIVATE_API_KEY # builds are deployed with the user token, as the official CLI does

python3 - "$BIN" "$WORK" "$RUNS" "$PWD/examples/pipecat-bot" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time, urllib.request

binary, work, runs, example = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
env = dict(os.environ)

def pipecat(*args, cwd=None):
    return subprocess.run([binary, "cloud", *args], cwd=cwd, env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def timed(*args, cwd=None):
    started = time.perf_counter()
    pipecat(*args, cwd=cwd)
    return time.perf_counter() - started

def ms(seconds):
    return f"{seconds * 1000:.0f} ms"

project = os.path.join(work, "pipecat-bot")
shutil.copytree(example, project)

# Floor: an image deploy of the demo bot (no build), to ready.
floor = [timed("deploy", f"demo-{i}", "pipecat-local/demo-bot:1", "--yes", "--quiet")
         for i in range(runs)]

# Cold: a new context each run (one more comment line in bot.py).
cold = []
for i in range(runs):
    with open(os.path.join(project, "bot.py"), "a") as f:
        f.write(f"# run {i}\n")
    cold.append(timed("deploy", f"cold-{i}", "--yes", "--quiet", cwd=project))

# Cached: the last context again, to new agents: no upload, no build.
cached = [timed("deploy", f"cached-{i}", "--yes", "--quiet", cwd=project)
          for i in range(runs)]
uploads = sum("upload" in line for line in open(os.path.join(work, "data", "access.log")))

print(f"deploy to ready, median of {runs} runs:")
print(f"  demo bot image (floor):         {ms(statistics.median(floor))}")
print(f"  examples/pipecat-bot, cold:     {ms(statistics.median(cold))} "
      f"({statistics.median(cold) / statistics.median(floor):.1f}x the floor)")
print(f"  examples/pipecat-bot, cached:   {ms(statistics.median(cached))} "
      f"({statistics.median(cached) / statistics.median(floor):.1f}x the floor)")
print(f"  requests to upload endpoints: {uploads} (2 per cold run, none cached)")

# Session starts: the public start request, then the server's own
# botStartSeconds, for the built bot and the demo bot; sessions end at
# once (duration 0), one at a time.
pipecat("deploy", "built", "--build-id",
        json.loads(pipecat("build", "list", "--status", "success", "-n", "1", "--json").stdout)["builds"][0]["id"],
        "--max-agents", "50", "--yes", "--quiet")
pipecat("deploy", "demo", "pipecat-local/demo-bot:1", "--max-agents", "50", "--yes", "--quiet")
starts = 20

MARKERS = {"built": "started with body", "demo": "demo-bot: body:"}

def instant(text):
    # RFC 3339 with up to nanoseconds, in UTC: to seconds since the epoch.
    from datetime import datetime, timezone
    head, _, rest = text.rstrip("Z").partition(".")
    whole = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return whole.timestamp() + (float("0." + rest) if rest else 0.0)

def start(agent):
    """One session: the start request's time, and its session id."""
    request = urllib.request.Request(
        f"{env['PIPECAT_API_HOST']}/v1/public/{agent}/start",
        data=json.dumps({"body": {"duration_secs": 0}}).encode(),
        headers={"Authorization": f"Bearer {env['PIPECAT_DEFAULT_PUBLIC_KEY']}",
                 "Content-Type": "application/json"}, method="POST")
    started = time.perf_counter()
    with urllib.request.urlopen(request) as answer:
        session = json.loads(answer.read())["sessionId"]
    took = time.perf_counter() - started
    # Wait for it to end before the next one.
    for _ in range(600):
        active = json.loads(pipecat("agent", "sessions", agent, "--status", "active", "--json").stdout)
        if not active.get("sessions"):
            break
        time.sleep(0.05)
    return took, session

def to_first_line(agent, session):
    """From the start request (the session's lifecycle.requestedAt) to the
    bot's first own log line."""
    detail = json.loads(pipecat("agent", "sessions", agent, "--id", session, "--json").stdout)
    requested = instant(detail["lifecycle"]["requestedAt"])
    logs = json.loads(pipecat("agent", "logs", agent, "--session", session, "-n", "200",
                              "--order", "asc", "--json").stdout)["logs"]
    first = next(e for e in logs if MARKERS[agent] in e["log"])
    return instant(first["timestamp"]) - requested

results = {}
for agent in ("demo", "built"):
    runs_ = [start(agent) for _ in range(starts)]
    results[agent] = ([took for took, _ in runs_],
                      [to_first_line(agent, session) for _, session in runs_])
print(f"session start, p50 of {starts}:")
for agent, label in (("demo", "demo bot (floor)"), ("built", "built pipecat-bot")):
    request, first = (statistics.median(values) for values in results[agent])
    print(f"  {label:<18} start request {ms(request)}, start request to the bot's first line {ms(first)}")
ratio = statistics.median(results["built"][1]) / statistics.median(results["demo"][1])
print(f"  built / demo, to the bot's first line: {ratio:.1f}x")
PY
