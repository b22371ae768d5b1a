#!/usr/bin/env bash
# Every benchmark, one after the other, each printing medians against its
# target:
#   (a) `pipecat cloud --help` wall time and peak RSS       benches/cli.sh
#   (b) `pipecat cloud agent start` against a local cloud   benches/cli.sh
#   (c) the local cloud: start latency, 429 rate, RSS       cargo bench --bench local_cloud
#   (d) `agent logs -n 100000` against its floors (curl, a   benches/logs.sh
#       typed-decode program), peak RSS for 100k and 1M lines
# Needs hyperfine, GNU time, curl and python3 (Debian: apt-get install
# hyperfine time curl python3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash benches/cli.sh
echo "== (c) local cloud"
cargo bench --quiet --bench local_cloud
echo "== (d) agent logs against its floors"
bash benches/logs.sh
