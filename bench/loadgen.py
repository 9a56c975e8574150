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

Every loop stops by itself: at the end of the window, at `max_requests`, and each request is
bounded by `timeout`. Only 127.0.0.1 may be targeted.
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
        )
        if job.host != ALLOWED_HOST:
            raise SystemExit(f"loadgen: refusing to target {job.host!r}; only {ALLOWED_HOST}")
        if not 1 <= job.concurrency <= 1024:
            raise SystemExit("loadgen: concurrency must be within 1..1024")
        if not (0 <= job.warmup <= 600 and 0 < job.duration <= 3600 and 0 < job.timeout <= 300):
            raise SystemExit("loadgen: warmup/duration/timeout out of range")
        if not job.path.startswith("/") or any(c in job.path for c in "\r\n "):
            raise SystemExit("loadgen: bad path")
        return job

    def request_bytes(self) -> bytes:
        body = (self.body or "").encode()
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: hawiya-bench",
            "Accept: application/json",
        ]
        for name, value in self.headers.items():
            if any(c in name + value for c in "\r\n"):
                raise SystemExit("loadgen: header with a line break")
            lines.append(f"{name}: {value}")
        if self.body is not None or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Stats:
    latencies: array[float] = field(default_factory=lambda: array("d"))
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

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
    tasks = [
        asyncio.create_task(client(job, request, stats, t_measure, t_stop))
        for _ in range(job.concurrency)
    ]
    # Each client ends by t_stop + timeout; the outer bound is only a safety net.
    done, pending = await asyncio.wait(tasks, timeout=job.warmup + job.duration + job.timeout + 10)
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
    return {
        "method": job.method,
        "path": job.path,
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
