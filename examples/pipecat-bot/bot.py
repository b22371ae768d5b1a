"""A small Pipecat Cloud agent: it logs its session id and the body it was
started with, talks a little, and ends after body["duration_secs"] seconds
(default 3). Start it with {"crash": true} to see a failing session.

The platform (or the local cloud's agent host) imports this module and
calls bot(args) once per session.
"""

import asyncio
import json

DEFAULT_DURATION_SECS = 3.0


async def bot(args):
    body = args.body if isinstance(args.body, dict) else {}
    print(f"session {args.session_id} started with body {json.dumps(args.body)}", flush=True)
    if body.get("crash"):
        raise RuntimeError("the body asked this bot to crash")
    try:
        duration = max(0.0, float(body.get("duration_secs", DEFAULT_DURATION_SECS)))
    except (TypeError, ValueError):
        duration = DEFAULT_DURATION_SECS
    elapsed = 0.0
    while elapsed < duration:
        step = min(1.0, duration - elapsed)
        await asyncio.sleep(step)
        elapsed += step
        print(f"session {args.session_id}: talking ({elapsed:g}/{duration:g} s)", flush=True)
    print(f"session {args.session_id} done", flush=True)
