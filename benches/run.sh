#!/usr/bin/env bash
# Every benchmark, one after the other, each printing medians against its
# target:
#   (a) `pipecat cloud --help` wall time and peak RSS       benches/cli.sh
#   (b) `pipecat cloud agent start` against a local cloud   benches/cli.sh
#   (c) the local cloud: start latency, 429 rate, RSS       cargo bench --bench local_cloud
#   (d) `agent logs -n 100000` against its floors (curl, a   benches/logs.sh
#       typed-decode program), peak RSS for 100k and 1M lines
#   (e) graceful stop with 1,000 sessions against its floor cargo bench --bench shutdown
#   (f) the hardening bars (`yes`, idle flood, kill -9)     cargo bench --bench hardening
#   (g) the server rows against their floors             cargo bench --bench server
#   (h) deploy from a folder to ready, cold and cached;
#       session start of a built bot against the demo bot   benches/deploy_builds.sh
# The 10-minute soak is separate: cargo bench --bench soak.
# Needs hyperfine, GNU time, curl and python3 (Debian: apt-get install
# hyperfine time curl python3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash benches/cli.sh
echo "== (c) local cloud"
cargo bench --quiet --bench local_cloud
echo "== (d) agent logs against its floors"
bash benches/logs.sh
echo "== (e) graceful stop against its floor"
cargo bench --quiet --bench shutdown
echo "== (f) hardening bars"
cargo bench --quiet --bench hardening
echo "== (g) server rows against their floors"
cargo bench --quiet --bench server
echo "== (h) deploy from a project folder, and sessions of the built bot"
bash benches/deploy_builds.sh
