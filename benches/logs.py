"""Measures `pipecat cloud agent logs` against its floors, interleaved in
the same run; called by benches/logs.sh with a local cloud running.

Usage: logs.py CLIENT FLOOR DATA_DIR WORK AGENT_100K AGENT_1M AGENT_STEADY

Each round runs, one after the other: the client (`-n 100000`, output to
/dev/null), curl fetching exactly the pages the client asked for (one
process, one connection), the typed-decode floor on those pages, the
client again for its time to the first line, and curl fetching the first
page alone. Reported: medians, and the median of the per-round ratios with
their spread (min to max). Then `--follow` of the third agent, whose
session writes 5,000 lines every 0.1 s (about 50,000 lines/s) for 10 s:
how many lines it showed and skipped, and how long after the session's
last line it showed it.
"""

import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

CLIENT, FLOOR, DATA_DIR, WORK, AGENT, AGENT_1M, STEADY = sys.argv[1:8]
ROUNDS = 7
URL = os.environ["PIPECAT_API_HOST"]
KEY = os.environ["PIPECAT_PRIVATE_API_KEY"]
ACCESS_LOG = os.path.join(DATA_DIR, "access.log")


def run(argv, stdout=subprocess.DEVNULL):
    """Wall seconds, CPU seconds (user + system) and peak RSS (KB) of one
    process."""
    began = time.perf_counter()
    child = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed: {child.stderr.read().decode()[-500:]}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def first_line(argv):
    """Seconds until the first line shows on stdout."""
    began = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    child.stdout.readline()
    took = time.perf_counter() - began
    while child.stdout.read(1 << 20):
        pass
    child.wait()
    return took


def logs(agent, count):
    return [CLIENT, "cloud", "agent", "logs", agent, "-n", str(count)]


def requests_of(argv):
    """The requests (path and query, and the server's time for each in ms)
    a run of `argv` made, from the local cloud's access log."""
    before = os.path.getsize(ACCESS_LOG)
    run(argv)
    time.sleep(0.3)  # the access log is flushed every 50 ms
    with open(ACCESS_LOG) as log:
        log.seek(before)
        lines = [line.split() for line in log]
    return [(line[2], float(line[4].rstrip("ms"))) for line in lines if line[1] == "GET" and line[3] == "200"]


def curl_config(path, targets, outputs):
    with open(path, "w") as config:
        config.write(f'header = "Authorization: Bearer {KEY}"\nsilent\nfail\n')
        for target, output in zip(targets, outputs):
            config.write(f'url = "{URL}{target}"\noutput = "{output}"\n')


def spread(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f} to {max(values):.2f})"


requests = requests_of(logs(AGENT, 100_000))
targets = [target for target, _ in requests]
pages = [f"{WORK}/page-{i}.json" for i in range(len(targets))]
curl_config(f"{WORK}/save.cfg", targets, pages)
run(["curl", "-K", f"{WORK}/save.cfg"])
# The pages whose lines are shown (not the small request that finds where
# the newest lines begin).
def limit(target):
    query = target.split("?", 1)[-1]
    return int(dict(pair.split("=", 1) for pair in query.split("&")).get("limit", "10"))


shown = [page for target, page in zip(targets, pages) if limit(target) >= 1000]
first = targets[pages.index(shown[0])]
curl_config(f"{WORK}/all.cfg", targets, ["/dev/null"] * len(targets))
curl_config(f"{WORK}/first.cfg", [first], ["/dev/null"])
server_ms = sum(ms for _, ms in requests)
print(f"client: {CLIENT}")
print(f"pages asked for by agent logs -n 100000: {len(targets)} "
      f"(the server took {server_ms:.0f} ms answering them)")

rows = {name: [] for name in ["wall", "curl", "cpu", "decode", "rss", "first", "page"]}
for _ in range(ROUNDS):
    wall, cpu, rss = run(logs(AGENT, 100_000))
    rows["wall"].append(wall)
    rows["cpu"].append(cpu)
    rows["rss"].append(rss / 1024)
    rows["curl"].append(run(["curl", "-K", f"{WORK}/all.cfg"])[0])
    rows["decode"].append(run([FLOOR, *shown])[1])
    rows["first"].append(first_line(logs(AGENT, 100_000)))
    rows["page"].append(run(["curl", "-K", f"{WORK}/first.cfg"])[0])


def ratio(ours, floor):
    return [a / b for a, b in zip(rows[ours], rows[floor])]


def ms(name):
    return f"{statistics.median(rows[name]) * 1000:.0f} ms"


print(f"{ROUNDS} rounds; medians, and ratios as median (min to max) of the rounds")
print(f"wall, agent logs -n 100000:  {ms('wall')} vs curl, same pages {ms('curl')}: "
      f"{spread(ratio('wall', 'curl'))}x   (target <= 1.3x)")
print(f"client CPU:                  {ms('cpu')} vs typed decode + render {ms('decode')}: "
      f"{spread(ratio('cpu', 'decode'))}x   (target <= 2x)")
print(f"time to the first line:      {ms('first')} vs curl, first page {ms('page')}: "
      f"{spread(ratio('first', 'page'))}x   (target <= 2x)")
print(f"peak RSS, 100,000 lines:     {statistics.median(rows['rss']):.1f} MB   (target < 40 MB)")
million = [run(logs(AGENT_1M, 1_000_000)) for _ in range(3)]
print(f"peak RSS, 1,000,000 lines:   {statistics.median([m[2] for m in million]) / 1024:.1f} MB "
      f"(target < 40 MB); wall {statistics.median([m[0] for m in million]):.2f} s")


def follow_steady():
    with open(f"{WORK}/follow.out", "wb") as out:
        follower = subprocess.Popen(
            [CLIENT, "cloud", "agent", "logs", STEADY, "--follow", "--interval", "0.2"],
            stdout=out, stderr=subprocess.PIPE)
        time.sleep(1)
        subprocess.run([CLIENT, "cloud", "agent", "start", STEADY],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        began = time.perf_counter()
        shown_at = None
        while time.perf_counter() - began < 60:
            with open(f"{WORK}/follow.out", "rb") as shown:
                shown.seek(max(0, os.path.getsize(f"{WORK}/follow.out") - 4096))
                if b"exited with code" in shown.read():
                    shown_at = time.time()
                    break
            time.sleep(0.05)
        follower.send_signal(signal.SIGINT)
        _, errors = follower.communicate()
    with open(f"{WORK}/follow.out", "rb") as shown:
        lines = sum(1 for _ in shown)
    skipped = sum(int(line.split("skipped ")[1].split()[0])
                  for line in errors.decode().splitlines() if "skipped " in line)
    stored = subprocess.run(
        ["curl", "-sf", "-H", f"Authorization: Bearer {KEY}",
         f"{URL}/v1/agents/{STEADY}/logs?limit=2"], capture_output=True, check=True).stdout
    last = json.loads(stored)["logs"][0]["timestamp"]
    # The answer's `total` is a lower bound past 10,000 lines (`gte`):
    # count them in the store itself, read-only.
    with sqlite3.connect(f"file:{DATA_DIR}/local-cloud.sqlite3?mode=ro", uri=True) as db:
        (total,) = db.execute("SELECT count(*) FROM logs WHERE agent_name = ?",
                              (STEADY,)).fetchone()
    written = subprocess.run(["date", "-d", last, "+%s.%N"], capture_output=True, text=True).stdout
    late = f"{shown_at - float(written):.2f} s after it was written" if shown_at else "never"
    print(f"--follow of 50,000 lines/s for 10 s: showed {lines:,} of {total:,} lines, "
          f"skipped {skipped:,}; the last line shown {late}")


follow_steady()
