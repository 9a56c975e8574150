"""Closed-loop HTTP/1.1 keep-alive load generator; bench/run.py runs it in its own process.

It reads one JSON job on stdin and prints one JSON result on stdout:

    {"host": "127.0.0.1", "port": 8000, "method": "GET", "path": "/", "headers": {...},
     "body": null, "concurrency": 64, "warmup": 3, "duration": 15, "timeout": 30,
     "max_requests": 5000000, "server_pid": 1234}

`concurrency` clients each hold one keep-alive connection and send the same request again as soon
as the previous answer is read (a closed loop, so the offered load is what the server sustains).
Only answers that arrive within the `duration` window after the warm-up are counted, and the rate
is their number over the window's length (as wrk does): requests still in flight when the window
closes are waited for, so the next measurement starts on a quiet server, but not counted. Latency
is time.perf_counter() from writing the request to reading the whole body.
An answer counts as an error when its status is not 2xx or its JSON envelope carries a non-null
error_code; transport failures (refused, reset, timeout) count as errors too.

With "scenario": "registration" (plus "phone_start") each client instead repeats one complete
end-user registration on its connection: POST Register/StepVerifyPhone {phoneNumber} (send; the
tenant must be a sandbox so the answer carries the code), the same with the request id and the
code (validate), then POST Register with both (no password). Registration number k (from 1) uses
the phone number +2010 followed by the 8 digits of phone_start + k and the header
X-Forwarded-For: 10.a.b.c (k in base 256), so every registration comes from its own number and
client address (the server must trust 127.0.0.1 as a proxy). A registration counts only when the
three answers are HTTP 200 with a null error_code, the validate answer says
isPhoneNumberConfirmed and the Register answer carries data.accessToken; a failed step abandons
the registration. The rate counts registrations whose last answer arrives in the window and the
latency spans the three requests. A client starts no registration after the window, but finishes
the one it is in, and the totals over warm-up, window and drain ("all_ok", "all_attempts") are
returned so the caller can compare them with the rows created.

Every loop stops by itself: at the end of the window, at `max_requests` (requests, or
registrations), and each request is bounded by `timeout`. Only 127.0.0.1 may be targeted.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

ALLOWED_HOST = "127.0.0.1"
MAX_SAMPLES = 5
SCENARIOS = ("request", "registration")
VERIFY_PHONE_PATH = "/api/DigitalIdentity/Register/StepVerifyPhone"
REGISTER_PATH = "/api/DigitalIdentity/Register"
REGISTRATION_STEPS = ("send", "validate", "register")
MAX_REGISTRATIONS = 9_999_999  # phone_start + k stays within 8 digits; k < 2**24 for 10.a.b.c


@dataclass(frozen=True)
class Job:
    host: str
    port: int
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    concurrency: int
    warmup: float
    duration: float
    timeout: float
    max_requests: int
    server_pid: int | None
    scenario: str = "request"
    phone_start: int = 0

    @property
    def steps(self) -> int:
        """Requests per loop iteration: what bounds one iteration is steps * timeout."""
        return len(REGISTRATION_STEPS) if self.scenario == "registration" else 1

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Job:
        job = cls(
            host=str(raw.get("host", ALLOWED_HOST)),
            port=int(raw["port"]),
            method=str(raw.get("method", "GET")).upper(),
            path=str(raw.get("path", "/")),
            headers={str(k): str(v) for k, v in dict(raw.get("headers") or {}).items()},
            body=None if raw.get("body") is None else str(raw["body"]),
            concurrency=int(raw.get("concurrency", 64)),
            warmup=float(raw.get("warmup", 3.0)),
            duration=float(raw.get("duration", 15.0)),
            timeout=float(raw.get("timeout", 30.0)),
            max_requests=int(raw.get("max_requests", 5_000_000)),
            server_pid=None if raw.get("server_pid") is None else int(raw["server_pid"]),
            scenario=str(raw.get("scenario", "request")),
            phone_start=int(raw.get("phone_start", 0)),
        )
        if job.host != ALLOWED_HOST:
            raise SystemExit(f"loadgen: refusing to target {job.host!r}; only {ALLOWED_HOST}")
        if not 1 <= job.concurrency <= 1024:
            raise SystemExit("loadgen: concurrency must be within 1..1024")
        if not (0 <= job.warmup <= 600 and 0 < job.duration <= 3600 and 0 < job.timeout <= 300):
            raise SystemExit("loadgen: warmup/duration/timeout out of range")
        if not job.path.startswith("/") or any(c in job.path for c in "\r\n "):
            raise SystemExit("loadgen: bad path")
        if job.scenario not in SCENARIOS:
            raise SystemExit(f"loadgen: scenario must be one of {', '.join(SCENARIOS)}")
        if job.scenario == "registration":
            last = job.phone_start + min(job.max_requests, MAX_REGISTRATIONS)
            if not (job.phone_start >= 0 and last <= 99_999_999):
                raise SystemExit("loadgen: phone_start + registrations must stay within 8 digits")
        return job

    def request_bytes(
        self,
        method: str | None = None,
        path: str | None = None,
        body: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> bytes:
        """The job's own request, or another one to the same server with the job's headers."""
        method = method or self.method
        text = self.body if path is None else body
        raw = (text or "").encode()
        lines = [
            f"{method} {path or self.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: hawiya-bench",
            "Accept: application/json",
        ]
        for name, value in {**self.headers, **(extra_headers or {})}.items():
            if any(c in name + value for c in "\r\n"):
                raise SystemExit("loadgen: header with a line break")
            lines.append(f"{name}: {value}")
        if text is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(raw)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + raw


@dataclass
class Stats:
    latencies: array[float] = field(default_factory=lambda: array("d"))
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    # Registration scenario only: registrations started, and outcomes over every phase.
    started: int = 0
    all_ok: int = 0
    all_attempts: int = 0
    outside_errors: int = 0  # failed registrations that ended in the warm-up or the drain
    step_latencies: dict[str, array[float]] = field(
        default_factory=lambda: {step: array("d") for step in REGISTRATION_STEPS}
    )

    def sample(self, text: str) -> None:
        if len(self.samples) < MAX_SAMPLES and text not in self.samples:
            self.samples.append(text)


def envelope_error(body: bytes) -> str | None:
    """The envelope's error_code when it is not null, else None (bodies without one are fine)."""
    if b'"error_code"' not in body or b'"error_code":null' in body:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return "unparseable-json"
    code = doc.get("error_code") if isinstance(doc, dict) else None
    return None if code is None else str(code)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 response: (status, body, server wants the connection closed)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length: int | None = None
    chunked = close = False
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers are expected
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    return status, body, close


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()


async def client(job: Job, request: bytes, stats: Stats, t_measure: float, t_stop: float) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    clock = time.perf_counter
    try:
        while True:
            start = clock()
            if start >= t_stop or stats.ok + stats.errors >= job.max_requests:
                return
            try:
                async with asyncio.timeout(job.timeout):
                    if writer is None or reader is None:
                        reader, writer = await asyncio.open_connection(job.host, job.port)
                    writer.write(request)
                    status, body, close = await read_response(reader)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                end = clock()
                _close(writer)
                reader = writer = None
                if t_measure <= end <= t_stop:
                    stats.errors += 1
                    stats.exceptions[type(exc).__name__] += 1
                    stats.sample(f"{type(exc).__name__}: {exc}"[:300])
                await asyncio.sleep(0.01)  # a refused connection must not become a busy loop
                continue
            end = clock()
            if t_measure <= end <= t_stop:
                stats.statuses[str(status)] += 1
                code = envelope_error(body)
                if 200 <= status < 300 and code is None:
                    stats.ok += 1
                    stats.latencies.append(end - start)
                else:
                    stats.errors += 1
                    if code is not None:
                        stats.error_codes[code] += 1
                    stats.sample(f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
            if close:
                _close(writer)
                reader = writer = None
    finally:
        _close(writer)


class Connection:
    """One keep-alive connection, opened on first use and again after a failure or a close."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request and read its answer within the job's timeout; transport failures
        close the connection and propagate."""
        try:
            async with asyncio.timeout(self.job.timeout):
                if self.writer is None or self.reader is None:
                    self.reader, self.writer = await asyncio.open_connection(
                        self.job.host, self.job.port
                    )
                self.writer.write(request)
                status, body, close = await read_response(self.reader)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        _close(self.writer)
        self.reader = self.writer = None


class StepFailed(Exception):
    def __init__(self, step: str, status: int, code: str | None, text: str) -> None:
        super().__init__(text)
        self.step, self.status, self.code = step, status, code


def registration_data(step: str, status: int, body: bytes) -> dict[str, Any]:
    """The answer's data object when the step succeeded (HTTP 200, error_code null)."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise StepFailed(step, status, "unparseable-json", body[:300].decode("utf-8", "replace"))
    code = None if doc.get("error_code") is None else str(doc["error_code"])
    data = doc.get("data")
    if status != 200 or code is not None or not isinstance(data, dict):
        raise StepFailed(step, status, code, body[:300].decode("utf-8", "replace"))
    return data


async def register_once(job: Job, conn: Connection, k: int, step_times: list[float]) -> None:
    """One complete registration for number k; raises StepFailed or a transport error."""
    clock = time.perf_counter
    phone = f"+2010{job.phone_start + k:08d}"
    forwarded = {"X-Forwarded-For": f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}"}

    async def call(step: str, path: str, payload: dict[str, str]) -> dict[str, Any]:
        request = job.request_bytes("POST", path, json.dumps(payload), forwarded)
        began = clock()
        status, body = await conn.exchange(request)
        step_times.append(clock() - began)
        return registration_data(step, status, body)

    sent = await call("send", VERIFY_PHONE_PATH, {"phoneNumber": phone})
    request_id, code = sent.get("phoneNumberOtpRequestId"), sent.get("phoneNumberOtp")
    if not (isinstance(request_id, str) and isinstance(code, str) and request_id and code):
        raise StepFailed("send", 200, "no-code", f"no request id or code (not a sandbox?): {sent}")
    proof = {"phoneNumber": phone, "phoneNumberOtpRequestId": request_id, "phoneNumberOtp": code}
    validated = await call("validate", VERIFY_PHONE_PATH, proof)
    if validated.get("isPhoneNumberConfirmed") is not True:
        raise StepFailed("validate", 200, "not-confirmed", f"isPhoneNumberConfirmed: {validated}")
    registered = await call("register", REGISTER_PATH, proof)
    if not registered.get("accessToken"):
        raise StepFailed("register", 200, "no-access-token", str(registered)[:300])


async def registration_client(job: Job, stats: Stats, t_measure: float, t_stop: float) -> None:
    """Complete registrations back to back on one connection until the window closes."""
    conn = Connection(job)
    clock = time.perf_counter
    cap = min(job.max_requests, MAX_REGISTRATIONS)
    try:
        while True:
            start = clock()
            if start >= t_stop or stats.started >= cap:
                return
            stats.started += 1
            k = stats.started  # from 1: 10.0.0.1 is the first address
            step_times: list[float] = []
            failure: str | None = None
            key = code_key = exc_key = None
            try:
                await register_once(job, conn, k, step_times)
            except StepFailed as exc:
                failure = f"{exc.step}: HTTP {exc.status}: {exc}"
                key = f"{exc.step} {exc.status}"
                code_key = None if exc.code is None else f"{exc.step} {exc.code}"
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                step = REGISTRATION_STEPS[len(step_times)]
                failure = f"{step}: {type(exc).__name__}: {exc}"
                exc_key = f"{step} {type(exc).__name__}"
            end = clock()
            stats.all_attempts += 1
            in_window = t_measure <= end <= t_stop
            if failure is None:
                stats.all_ok += 1
                if in_window:
                    stats.ok += 1
                    stats.latencies.append(end - start)
                    for step, seconds in zip(REGISTRATION_STEPS, step_times, strict=True):
                        stats.step_latencies[step].append(seconds)
                continue
            if in_window:
                stats.errors += 1
                if key is not None:
                    stats.statuses[key] += 1
                if code_key is not None:
                    stats.error_codes[code_key] += 1
                if exc_key is not None:
                    stats.exceptions[exc_key] += 1
                stats.sample(failure[:300])
            else:
                stats.outside_errors += 1
                stats.sample(f"(outside the window) {failure}"[:300])
            if exc_key is not None:
                await asyncio.sleep(0.01)  # a refused connection must not become a busy loop
    finally:
        conn.close()


def proc_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads) from /proc, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float] | None:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values[:8]) - idle), float(sum(values[:8]))


@dataclass
class CpuSnapshot:
    wall: float
    client: float
    server: float | None
    machine: tuple[float, float] | None

    @classmethod
    def take(cls, server_pid: int | None) -> CpuSnapshot:
        return cls(
            wall=time.perf_counter(),
            client=time.process_time(),
            server=None if server_pid is None else proc_cpu_seconds(server_pid),
            machine=machine_cpu(),
        )


def cpu_usage(a: CpuSnapshot, b: CpuSnapshot) -> dict[str, float | None]:
    """Average cores used over the window by the client, the server and the whole machine."""
    wall = max(b.wall - a.wall, 1e-9)
    out: dict[str, float | None] = {"client": (b.client - a.client) / wall}
    out["server"] = None if a.server is None or b.server is None else (b.server - a.server) / wall
    out["machine"] = None
    if a.machine and b.machine and b.machine[1] > a.machine[1]:
        busy_share = (b.machine[0] - a.machine[0]) / (b.machine[1] - a.machine[1])
        out["machine"] = busy_share * (os.cpu_count() or 1)
    return out


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def run(job: Job) -> dict[str, Any]:
    request = job.request_bytes()
    stats = Stats()
    t_begin = time.perf_counter()
    t_measure = t_begin + job.warmup
    t_stop = t_measure + job.duration
    marks: dict[str, CpuSnapshot] = {}

    async def mark(name: str, moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        marks[name] = CpuSnapshot.take(job.server_pid)

    markers = [
        asyncio.create_task(mark("start", t_measure)),
        asyncio.create_task(mark("end", t_stop)),
    ]
    if job.scenario == "registration":
        tasks = [
            asyncio.create_task(registration_client(job, stats, t_measure, t_stop))
            for _ in range(job.concurrency)
        ]
    else:
        tasks = [
            asyncio.create_task(client(job, request, stats, t_measure, t_stop))
            for _ in range(job.concurrency)
        ]
    # Each client ends by t_stop + steps * timeout; the outer bound is only a safety net.
    bound = job.warmup + job.duration + job.steps * job.timeout + 10
    done, pending = await asyncio.wait(tasks, timeout=bound)
    for task in pending:
        task.cancel()
    if pending:
        stats.exceptions["CancelledAtDeadline"] += len(pending)
        stats.errors += len(pending)
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            exc = task.exception()
            stats.exceptions[f"ClientCrash:{type(exc).__name__}"] += 1
            stats.sample(f"client crashed: {exc!r}"[:300])
    await asyncio.gather(*markers)
    elapsed = job.duration
    ordered = sorted(stats.latencies)
    extra: dict[str, Any] = {}
    if job.scenario == "registration":
        steps = {}
        for step, values in stats.step_latencies.items():
            times = sorted(values)
            steps[step] = {
                name: (None if value is None else value * 1000.0)
                for name, value in (
                    ("p50", percentile(times, 0.50)),
                    ("p99", percentile(times, 0.99)),
                    ("mean", sum(times) / len(times) if times else None),
                )
            }
        extra = {
            "scenario": "registration",
            "all_ok": stats.all_ok,
            "all_attempts": stats.all_attempts,
            "outside_window_errors": stats.outside_errors,
            # Cancelled registrations may or may not have reached the database.
            "cancelled": len(pending),
            "step_latency_ms": steps,
            "phones": [
                f"+2010{job.phone_start + 1:08d}",
                f"+2010{job.phone_start + stats.started:08d}",
            ],
        }
    return {
        "method": "POST" if job.scenario == "registration" else job.method,
        "path": (
            "Register/StepVerifyPhone x2 + Register" if job.scenario == "registration" else job.path
        ),
        "concurrency": job.concurrency,
        "warmup_s": job.warmup,
        "duration_s": job.duration,
        "requests": stats.ok + stats.errors,
        "ok": stats.ok,
        "errors": stats.errors,
        "rps": stats.ok / elapsed if elapsed > 0 else 0.0,
        "latency_ms": {
            name: (None if value is None else value * 1000.0)
            for name, value in (
                ("p50", percentile(ordered, 0.50)),
                ("p90", percentile(ordered, 0.90)),
                ("p99", percentile(ordered, 0.99)),
                ("max", ordered[-1] if ordered else None),
                ("mean", sum(ordered) / len(ordered) if ordered else None),
            )
        },
        "statuses": dict(stats.statuses),
        "error_codes": dict(stats.error_codes),
        "exceptions": dict(stats.exceptions),
        "samples": stats.samples,
        "cpu_cores": cpu_usage(marks["start"], marks["end"]),
        "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
        **extra,
    }


def main() -> None:
    job = Job.parse(json.loads(sys.stdin.read()))
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(run(job))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
