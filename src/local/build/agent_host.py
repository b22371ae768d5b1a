"""The agent host of the local Pipecat Cloud.

Written into every image the local cloud builds, and run there by the
build's own Python (standard library only, Python 3.8 or newer). It serves
the HTTP contract of the official base image on 127.0.0.1:$PORT:

  GET  /livez   200 {"status": "ok"} while the process lives.
  GET  /readyz  200 when ready, 503 otherwise. The bot module's optional
                readyz() (sync or async) decides: a bool, or a dict with a
                "ready" key; an exception means not ready.
  POST /bot     runs one session and answers when it is over:
                  200 {"status": "completed"}         bot() returned;
                  200 {"status": "budget_exhausted"}  cancelled at the
                      budget of X-Pcc-Max-Session-Seconds;
                  200 {"status": "terminated"}        the host was stopped;
                  500 {"status": "failed", "error": "..."}  bot() raised
                      (its traceback is in the output);
                  400 for a request that is not a session start.

The JSON body of POST /bot is the session's body. Headers:
X-Daily-Session-Id, X-Daily-Room-Url and X-Daily-Room-Token (both for a
Daily session), X-Daily-Transport-Type, X-Pcc-Max-Session-Seconds (a
missing, empty, zero, negative or non-numeric value means no budget) and
X-Pcc-Start-Envelope: 1 (the body is {"body": ..., "flow_config": "..."};
the bot gets the inner body and args.flow_config).

It imports the module `bot` from the working directory and calls
bot(args). args is an instance of pipecatcloud.agent's
PipecatSessionArguments / DailySessionArguments when that package works in
this environment, else of pipecat.runner.types' runner arguments, else of
the look-alike classes below; it always has session_id and body (and
room_url and token for Daily).

Every line written to stdout or stderr while a session runs starts with
"[<session id>] " (outside a session, the id in PIPECAT_SESSION_ID, else
"-"). SIGTERM or SIGINT cancels running bots, waits a little for them to
unwind, and exits.
"""

import asyncio
import contextvars
import inspect
import json
import math
import os
import signal
import sys
import threading
import traceback

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
REQUEST_READ_TIMEOUT = 30.0
READYZ_TIMEOUT = 10.0
# How long a cancelled bot may take to unwind before its request answers.
UNWIND_GRACE = 10.0
SHUTDOWN_GRACE = 5.0

_session = contextvars.ContextVar(
    "pipecat_local_session", default=os.environ.get("PIPECAT_SESSION_ID") or "-"
)


class _SessionLines:
    """A text stream that starts each line with the current session id."""

    def __init__(self, stream):
        self._stream = stream
        self._at_line_start = True
        self._lock = threading.Lock()

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        with self._lock:
            prefix = "[" + _session.get() + "] "
            parts = text.split("\n")
            out = []
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                if self._at_line_start and (part or not last):
                    out.append(prefix)
                    self._at_line_start = False
                out.append(part)
                if not last:
                    out.append("\n")
                    self._at_line_start = True
            self._stream.write("".join(out))
            if "\n" in text:
                self._stream.flush()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self._stream.flush()

    def isatty(self):
        return False

    def writable(self):
        return True

    def __getattr__(self, name):
        return getattr(self._stream, name)


def log(message):
    print("agent-host: " + message, file=sys.stderr, flush=True)


class PipecatSessionArguments:
    """The arguments of a session without a Daily room (stand-in)."""

    def __init__(self, session_id=None, body=None):
        self.session_id = session_id
        self.body = {} if body is None else body
        self.handle_sigint = False
        self.handle_sigterm = False
        self.pipeline_idle_timeout_secs = 300

    def __repr__(self):
        return "%s(session_id=%r)" % (type(self).__name__, self.session_id)


class DailySessionArguments(PipecatSessionArguments):
    """The arguments of a Daily session (stand-in)."""

    def __init__(self, session_id=None, room_url=None, token=None, body=None):
        PipecatSessionArguments.__init__(self, session_id=session_id, body=body)
        self.room_url = room_url
        self.token = token


def argument_types():
    """(where from, plain type, Daily type): the real ones when importable."""
    try:
        from pipecatcloud.agent import DailySessionArguments as Daily
        from pipecatcloud.agent import PipecatSessionArguments as Plain

        return "pipecatcloud.agent", Plain, Daily
    except Exception:
        pass
    try:
        from pipecat.runner import types

        plain = getattr(types, "PipecatRunnerArguments", None) or types.RunnerArguments
        return "pipecat.runner.types", plain, types.DailyRunnerArguments
    except Exception:
        pass
    return "the agent host", PipecatSessionArguments, DailySessionArguments


def make_arguments(kind, session_id, body, room_url, token):
    fields = {"body": body}
    if room_url is not None:
        fields["room_url"] = room_url
        fields["token"] = token
    try:
        args = kind(session_id=session_id, **fields)
    except TypeError:
        # Runner arguments of pipecat-ai before 1.2 have no session_id.
        args = kind(**fields)
    if getattr(args, "session_id", None) != session_id:
        args.session_id = session_id
    return args


def parse_budget(value):
    """Seconds from X-Pcc-Max-Session-Seconds, or None: never a guess."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(seconds) or math.isinf(seconds) or seconds <= 0:
        return None
    return seconds


class HttpError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status
        self.message = message


REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class Host:
    def __init__(self, bot, readyz, types):
        self.bot = bot
        self.readyz_fn = readyz
        self.types = types
        self.sessions = set()
        self.handlers = set()
        self.stopping = False
        self.stopped = None

    async def serve(self, port):
        self.stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop, sig)
        try:
            server = await asyncio.start_server(
                self.handle, "127.0.0.1", port, limit=MAX_HEAD_BYTES
            )
        except OSError as err:
            log("cannot listen on 127.0.0.1:%d: %s" % (port, err))
            return 1
        log("listening on http://127.0.0.1:%d (bot arguments from %s)" % (port, self.types[0]))
        await self.stopped.wait()
        server.close()
        for task in list(self.sessions):
            task.cancel()
        if self.sessions:
            await asyncio.wait(list(self.sessions), timeout=SHUTDOWN_GRACE)
        if self.handlers:
            # Let the /bot requests answer "terminated".
            await asyncio.wait(list(self.handlers), timeout=1.0)
        log("stopped")
        return 0

    def stop(self, sig):
        if not self.stopping:
            self.stopping = True
            log("%s: cancelling running sessions and exiting" % signal.Signals(sig).name)
            self.stopped.set()

    async def handle(self, reader, writer):
        task = asyncio.current_task()
        self.handlers.add(task)
        try:
            try:
                method, path, headers, body = await self.read_request(reader, writer)
                status, payload = await self.route(method, path, headers, body)
            except HttpError as err:
                status, payload = err.status, {"error": err.message}
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            except asyncio.TimeoutError:
                status, payload = 400, {"error": "the request was not sent in time"}
            data = json.dumps(payload, default=str).encode("utf-8")
            head = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
                status,
                REASONS.get(status, "Unknown"),
                len(data),
            )
            writer.write(head.encode("ascii") + data)
            await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.handlers.discard(task)
            writer.close()

    async def read_request(self, reader, writer):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_READ_TIMEOUT)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise HttpError(400, "malformed request line")
        method, target = parts[0], parts[1]
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise HttpError(501, "chunked request bodies are not supported; send Content-Length")
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            raise HttpError(400, "bad Content-Length")
        if length < 0 or length > MAX_BODY_BYTES:
            raise HttpError(413, "the body is over %d bytes" % MAX_BODY_BYTES)
        if length and headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await asyncio.wait_for(reader.readexactly(length), REQUEST_READ_TIMEOUT)
        return method, target.split("?", 1)[0], headers, body

    async def route(self, method, path, headers, body):
        routes = {"/livez": "GET", "/readyz": "GET", "/bot": "POST"}
        if path not in routes:
            raise HttpError(404, "no route %s" % path)
        if method != routes[path]:
            raise HttpError(405, "%s takes %s" % (path, routes[path]))
        if path == "/livez":
            return 200, {"status": "ok"}
        if path == "/readyz":
            return await self.readyz()
        return await self.session(headers, body)

    async def readyz(self):
        if self.readyz_fn is None:
            return 200, {"status": "ok"}
        try:
            result = self.readyz_fn()
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, READYZ_TIMEOUT)
        except Exception as err:
            log("readyz() raised %s: %s" % (type(err).__name__, err))
            return 503, {"ready": False, "error": str(err)}
        if isinstance(result, bool):
            return (200, {"status": "ok"}) if result else (503, {"status": "not ready"})
        if isinstance(result, dict):
            return (200 if result.get("ready", False) else 503), result
        return 503, {"status": "error", "error": "invalid readyz return type"}

    async def session(self, headers, raw):
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except ValueError:
            raise HttpError(400, "the body is not JSON")
        flow_config = None
        envelope = headers.get("x-pcc-start-envelope")
        if envelope is not None:
            if envelope != "1":
                raise HttpError(400, "unknown start envelope version %r" % envelope)
            if not isinstance(body, dict) or "body" not in body or "flow_config" not in body:
                raise HttpError(400, "a start envelope holds both body and flow_config")
            flow_config = body["flow_config"]
            if not isinstance(flow_config, str) or not flow_config:
                raise HttpError(400, "flow_config must be non-empty text")
            body = body["body"]
        session_id = headers.get("x-daily-session-id") or None
        room_url = headers.get("x-daily-room-url") or None
        token = headers.get("x-daily-room-token") or None
        budget = parse_budget(headers.get("x-pcc-max-session-seconds"))
        daily = room_url is not None and token is not None
        kind = self.types[2] if daily else self.types[1]
        label = _session.set(session_id or _session.get())
        try:
            args = make_arguments(kind, session_id, body, room_url if daily else None, token)
            if flow_config is not None:
                args.flow_config = flow_config
            log(
                "session starts: %s, transport %s, budget %s"
                % (
                    "Daily room" if daily else "no room",
                    headers.get("x-daily-transport-type") or "default",
                    ("%g s" % budget) if budget is not None else "none",
                )
            )
            # The task copies this context, so the bot's lines carry its id.
            task = asyncio.ensure_future(self.call_bot(args))
            self.sessions.add(task)
            try:
                return await self.supervise(task, budget)
            finally:
                self.sessions.discard(task)
        finally:
            _session.reset(label)

    async def call_bot(self, args):
        if inspect.iscoroutinefunction(self.bot):
            return await self.bot(args)
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, context.run, self.bot, args)
        if inspect.isawaitable(result):
            return await result
        return result

    async def supervise(self, task, budget):
        spent = False
        done, _ = await asyncio.wait([task], timeout=budget)
        if not done:
            spent = True
            log("the session's budget of %g s is spent: cancelling bot()" % budget)
            task.cancel()
            done, _ = await asyncio.wait([task], timeout=UNWIND_GRACE)
            if not done:
                log("bot() is still unwinding %g s after its cancellation" % UNWIND_GRACE)
        if spent:
            log("session ended: budget exhausted")
            return 200, {"status": "budget_exhausted"}
        if self.stopping or task.cancelled():
            log("session ended: terminated")
            return 200, {"status": "terminated"}
        error = task.exception()
        if error is None:
            log("session ended: bot() returned")
            return 200, {"status": "completed"}
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        log("bot() raised an exception:\n" + "".join(lines).rstrip("\n"))
        log("session ended: failed")
        return 500, {"status": "failed", "error": "%s: %s" % (type(error).__name__, error)}


def main():
    sys.stdout = _SessionLines(sys.stdout)
    sys.stderr = _SessionLines(sys.stderr)
    try:
        port = int(os.environ.get("PORT", "8080"))
    except ValueError:
        log("PORT must be a number")
        return 2
    workdir = os.getcwd()
    if workdir not in sys.path:
        sys.path.insert(0, workdir)
    try:
        import bot as bot_module
    except BaseException:
        log("cannot import the bot module from %s:" % workdir)
        traceback.print_exc()
        return 1
    bot = getattr(bot_module, "bot", None)
    if not callable(bot):
        log("%s defines no bot(args) function" % getattr(bot_module, "__file__", "bot"))
        return 1
    host = Host(bot, getattr(bot_module, "readyz", None), argument_types())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    code = loop.run_until_complete(host.serve(port))
    sys.stdout.flush()
    sys.stderr.flush()
    # Without waiting for threads a bot may have left running.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
