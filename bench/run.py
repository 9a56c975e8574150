"""Hawiya throughput and latency, on SQLite and PostgreSQL, against a bare FastAPI baseline.

    .venv/bin/python bench/run.py [--duration 15] [--concurrency 64] [--login-concurrency 16]
                                  [--register-concurrency 32] [--databases sqlite,postgresql]
                                  [--markdown docs/benchmarks.md]

For each database it creates a fresh one (SQLite: a file in a temp dir; PostgreSQL: a new
database on the local server), runs `hawiya db upgrade`, creates a sandbox tenant with `hawiya
tenant create --sandbox` (so the code of a phone OTP comes back in the send answer), starts
`hawiya serve --no-worker` on a free port with HAWIYA_HTTP__TRUSTED_PROXIES=["127.0.0.1"] (as
behind a reverse proxy on the same host), logs in and registers one end user once, then
measures with bench/loadgen.py in a separate process:

- GET /api/hawiya/Session/Current (ApiKey + admin bearer) at --concurrency clients;
- POST /api/credentials/Login at --login-concurrency clients (Argon2id verification each time);
- complete end-user registrations at --register-concurrency clients: Register/StepVerifyPhone
  (send), Register/StepVerifyPhone (validate the code), Register (no password), each with a fresh
  +2010 number and its own X-Forwarded-For address, so the per-address OTP quota (30 an hour)
  and the per-number limits are not what is measured; afterwards, with the server stopped, the
  end_user rows in the database are counted against the registrations that succeeded;

and, once, GET / of bench/hello_app.py (a one-route FastAPI app under the same uvicorn settings)
at --concurrency clients, for the ratio Hawiya/bare. Every server is stopped (SIGTERM, then
SIGKILL), the PostgreSQL database is dropped and temp dirs are removed, also on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
HOST = "127.0.0.1"
SESSION_PATH = "/api/hawiya/Session/Current"
LOGIN_PATH = "/api/credentials/Login"
VERIFY_PHONE_PATH = "/api/DigitalIdentity/Register/StepVerifyPhone"
REGISTER_PATH = "/api/DigitalIdentity/Register"
# Registration phone numbers are +2010 and 8 digits: each database gets its own range, so no
# number is used twice in a run (the loadgen adds 1, 2, ... to the start; the check uses + 0).
PHONE_RANGE = 10_000_000
# The run.py check registration's client address; the loadgen's are 10.0.0.1 upwards.
CHECK_ADDRESS = "10.255.255.254"
DATABASES = ("sqlite", "postgresql")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "bare": "bare FastAPI"}
MARK_START = "<!-- hawiya-bench:start -->"
MARK_END = "<!-- hawiya-bench:end -->"
FULL_DURATION = 15.0  # shorter runs are labelled as smoke runs


class BenchError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------------------
# Processes


def venv_bin(name: str) -> str:
    """The console script next to this interpreter (.venv/bin/hawiya), else the one on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if not found:
        raise BenchError(f"{name} not found next to {sys.executable} nor on PATH")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The parent environment without any HAWIYA_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAWIYA_")}
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    try:
        done = subprocess.run(
            args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{shlex.join(args[:3])} timed out after {timeout:.0f}s") from exc
    if done.returncode != 0:
        output = (done.stderr or done.stdout)[-2000:]
        raise BenchError(f"{shlex.join(args[:3])} exited {done.returncode}: {output}")
    return done.stdout


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path
    stop_note: str = ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextlib.contextmanager
def server_process(
    name: str, args: list[str], env: dict[str, str], port: int, log_path: Path
) -> Iterator[Server]:
    """Start a server in its own session; always stop it: SIGTERM, then SIGKILL after 40 s."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, proc, port, log_path)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: Server, grace: float = 40.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; notes how the process ended."""
    proc = server.proc
    if proc.poll() is not None:
        if not server.stop_note:
            server.stop_note = f"had already exited with status {proc.returncode}"
        return
    started = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
        server.stop_note = (
            f"exited with status {proc.returncode} {time.monotonic() - started:.1f}s after SIGTERM"
        )
        if proc.returncode == -signal.SIGTERM:
            server.stop_note += " (i.e. it ended by SIGTERM's default action, not with exit 0)"
    except subprocess.TimeoutExpired:
        print(f"  ! pid {proc.pid} ignored SIGTERM for {grace:.0f}s; killing it", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=10)
        server.stop_note = f"ignored SIGTERM for {grace:.0f}s and was killed"


def wait_until_up(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://{HOST}:{server.port}{path}"
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if not server.alive():
                raise BenchError(
                    f"{server.name} exited with {server.proc.returncode} before answering:\n"
                    + server.log_tail()
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return
            time.sleep(0.2)
    raise BenchError(
        f"{server.name} did not answer {path} within {timeout:.0f}s\n{server.log_tail()}"
    )


def log_findings(server: Server) -> dict[str, Any]:
    """Counts of warning-or-worse lines in a server's log, with a few examples."""
    counts: dict[str, int] = {}
    examples: list[str] = []
    try:
        lines = server.log_path.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        level = ""
        with contextlib.suppress(ValueError):
            doc = json.loads(line)
            if isinstance(doc, dict):
                level = str(doc.get("level", "")).lower()
                line = f"{doc.get('level')} {doc.get('logger')}: {doc.get('message')}"
        if not level:
            match = re.search(r"\b(WARNING|ERROR|CRITICAL|Traceback)\b", line)
            level = match.group(1).lower() if match else ""
        if level in ("warning", "error", "critical", "traceback"):
            counts[level] = counts.get(level, 0) + 1
            if len(examples) < 5 and line[:300] not in examples:
                examples.append(line[:300])
    return {"lines": len(lines), "counts": counts, "examples": examples}


def load(job: dict[str, Any]) -> dict[str, Any]:
    """Run bench/loadgen.py in a separate process and return its JSON result."""
    if job.get("host", HOST) != HOST:
        raise BenchError("only 127.0.0.1 is ever targeted")
    steps = 3 if job.get("scenario") == "registration" else 1
    bound = float(job["warmup"]) + float(job["duration"]) + steps * float(job["timeout"]) + 60
    try:
        done = subprocess.run(
            [sys.executable, str(BENCH / "loadgen.py")],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=bound,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"load generator did not finish within {bound:.0f}s") from exc
    if done.returncode != 0:
        raise BenchError(f"load generator exited {done.returncode}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --------------------------------------------------------------------------------------------------
# PostgreSQL


def pg_urls(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    if parts.hostname not in (HOST,):
        raise BenchError(f"--pg-admin-url must point at {HOST}, not {parts.hostname!r}")
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg(admin_url: str, *statements: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement, timeout=60)
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """A fresh database (dropped WITH (FORCE) on exit); yields (url, server version)."""
    name = f"hawiya_bench_{secrets.token_hex(4)}"
    url = pg_urls(admin_url, name)
    try:
        version = asyncio.run(_pg(admin_url, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise BenchError(f"cannot create a PostgreSQL database via {admin_url}: {exc!r}") from exc
    try:
        yield url, version
    finally:
        try:
            asyncio.run(_pg(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:
            print(f"  ! could not drop PostgreSQL database {name}: {exc!r}", file=sys.stderr)


# --------------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Outcome:
    session: dict[str, Any] | None = None
    login: dict[str, Any] | None = None
    register: dict[str, Any] | None = None
    end_users: dict[str, int] | None = None  # rows before, after, and registrations that succeeded
    hello: dict[str, Any] | None = None
    log: dict[str, Any] | None = None
    failure: str | None = None
    stop_note: str = ""
    facts: dict[str, str] = field(default_factory=dict)


def job(args: argparse.Namespace, server: Server, **fields: Any) -> dict[str, Any]:
    return {
        "host": HOST,
        "port": server.port,
        "warmup": args.warmup,
        "duration": args.duration,
        "timeout": args.timeout,
        "max_requests": args.max_requests,
        "server_pid": server.proc.pid,
        **fields,
    }


def bench_hello(args: argparse.Namespace) -> Outcome:
    outcome = Outcome()
    tmp = Path(tempfile.mkdtemp(prefix="hawiya-bench-hello-"))
    try:
        port = free_port()
        argv = [sys.executable, str(BENCH / "hello_app.py"), "--host", HOST, "--port", str(port)]
        with server_process("hello_app", argv, clean_env(), port, tmp / "server.log") as server:
            wait_until_up(server, "/")
            print(f"  bare FastAPI: GET / at c={args.concurrency} ...", file=sys.stderr)
            outcome.hello = load(job(args, server, path="/", concurrency=args.concurrency))
        outcome.log = log_findings(server)
        outcome.stop_note = server.stop_note
    except Exception as exc:
        outcome.failure = str(exc) if isinstance(exc, BenchError) else repr(exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return outcome


def bench_hawiya(database: str, args: argparse.Namespace) -> Outcome:
    outcome = Outcome()
    tmp = Path(tempfile.mkdtemp(prefix=f"hawiya-bench-{database}-"))
    try:
        with contextlib.ExitStack() as stack:
            env = clean_env(
                HAWIYA_DATA_DIR=str(tmp),
                HAWIYA_LOG_LEVEL="WARNING",
                HAWIYA_AUTH__LOGIN_PER_ADDRESS_PER_MINUTE="0",
                HAWIYA_AUTH__REFRESH_PER_ADDRESS_PER_MINUTE="0",
                # As behind a reverse proxy on this host: X-Forwarded-For from 127.0.0.1 is
                # believed, so each simulated registration has its own client address.
                HAWIYA_HTTP__TRUSTED_PROXIES='["127.0.0.1"]',
            )
            if database == "postgresql":
                url, version = stack.enter_context(pg_database(args.pg_admin_url))
                env["HAWIYA_DATABASE__URL"] = url
                outcome.facts["PostgreSQL server"] = version
            hawiya = venv_bin("hawiya")
            run_cli([hawiya, "db", "upgrade"], env)
            tenant = f"bench{database}"
            email = f"admin@{tenant}.example"
            password = secrets.token_urlsafe(24)  # 32 random characters
            # The password goes through HAWIYA_ADMIN_PASSWORD (what --admin-password falls back
            # to) so it never shows in the process list.
            out = run_cli(
                [hawiya, "tenant", "create", tenant, "--admin-email", email, "--sandbox", "--json"],
                {**env, "HAWIYA_ADMIN_PASSWORD": password},
            )
            created = json.loads(next(ln for ln in reversed(out.splitlines()) if ln[:1] == "{"))
            api_key = str(created["apiKey"])

            port = free_port()
            argv = [hawiya, "serve", "--host", HOST, "--port", str(port), "--no-worker"]
            server = stack.enter_context(
                server_process(f"hawiya ({database})", argv, env, port, tmp / "server.log")
            )
            try:
                wait_until_up(server, "/health")
                login_body = json.dumps(
                    {"tenancyName": tenant, "userNameOrEmailAddress": email, "password": password}
                )
                base = {"ApiKey": api_key, "Content-Type": "application/json"}
                token = first_login(port, base, login_body)
                session_headers = {"ApiKey": api_key, "Authorization": f"Bearer {token}"}
                check_session(port, session_headers)
                phone_start = PHONE_RANGE * (1 + DATABASES.index(database))
                users_before = count_end_users(env)
                check_registration(port, base, f"+2010{phone_start:08d}")

                label = LABELS[database]
                print(f"  {label}: GET {SESSION_PATH} at c={args.concurrency} ...", file=sys.stderr)
                outcome.session = load(
                    job(
                        args,
                        server,
                        path=SESSION_PATH,
                        headers=session_headers,
                        concurrency=args.concurrency,
                    )
                )
                print(
                    f"  {label}: POST {LOGIN_PATH} at c={args.login_concurrency} ...",
                    file=sys.stderr,
                )
                outcome.login = load(
                    job(
                        args,
                        server,
                        method="POST",
                        path=LOGIN_PATH,
                        headers=base,
                        body=login_body,
                        concurrency=args.login_concurrency,
                    )
                )
                rc = args.register_concurrency
                print(f"  {label}: registrations at c={rc} ...", file=sys.stderr)
                outcome.register = load(
                    job(
                        args,
                        server,
                        scenario="registration",
                        method="POST",
                        path=REGISTER_PATH,
                        headers=base,
                        phone_start=phone_start,
                        concurrency=rc,
                    )
                )
                if not server.alive():
                    raise BenchError(f"{server.name} died during the run:\n{server.log_tail()}")
            finally:
                stop_server(server)
                outcome.log = log_findings(server)
                outcome.stop_note = server.stop_note
            if outcome.register is not None:
                # Counted with the server stopped: every transaction it answered is committed.
                outcome.end_users = {
                    "before": users_before,
                    "after": count_end_users(env),
                    "succeeded": 1 + int(outcome.register["all_ok"]),  # + check_registration
                }
    except Exception as exc:
        outcome.failure = str(exc) if isinstance(exc, BenchError) else repr(exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return outcome


def first_login(port: int, headers: dict[str, str], body: str) -> str:
    with httpx.Client(trust_env=False, timeout=30.0) as client:
        resp = client.post(f"http://{HOST}:{port}{LOGIN_PATH}", headers=headers, content=body)
    try:
        doc = resp.json()
    except ValueError:
        doc = {}
    data = doc.get("data") or {}
    token = data.get("accessToken") or data.get("access_token")
    if resp.status_code != 200 or doc.get("error_code") is not None or not token:
        raise BenchError(f"login failed: HTTP {resp.status_code} {resp.text[:500]}")
    return str(token)


def check_registration(port: int, headers: dict[str, str], phone: str) -> None:
    """One complete registration, so a misconfiguration fails here with a readable message."""
    hdrs = {**headers, "X-Forwarded-For": CHECK_ADDRESS}
    url = f"http://{HOST}:{port}"
    with httpx.Client(trust_env=False, timeout=30.0) as client:

        def call(path: str, body: dict[str, str]) -> dict[str, Any]:
            resp = client.post(url + path, headers=hdrs, json=body)
            doc = resp.json() if resp.headers.get("content-type", "").startswith("app") else {}
            if resp.status_code != 200 or doc.get("error_code") is not None:
                raise BenchError(f"registration check: {path}: HTTP {resp.status_code} {resp.text}")
            return dict(doc.get("data") or {})

        sent = call(VERIFY_PHONE_PATH, {"phoneNumber": phone})
        if not sent.get("phoneNumberOtp"):
            raise BenchError(f"registration check: no code in the send answer: {sent}")
        proof = {
            "phoneNumber": phone,
            "phoneNumberOtpRequestId": str(sent.get("phoneNumberOtpRequestId")),
            "phoneNumberOtp": str(sent["phoneNumberOtp"]),
        }
        call(VERIFY_PHONE_PATH, proof)
        if not call(REGISTER_PATH, proof).get("accessToken"):
            raise BenchError("registration check: no accessToken in the Register answer")


def count_end_users(env: dict[str, str]) -> int:
    """Rows in end_user of the server's database: the PostgreSQL one in HAWIYA_DATABASE__URL,
    else the embedded SQLite file <HAWIYA_DATA_DIR>/hawiya.db."""
    query = "SELECT count(*) FROM end_user"
    url = env.get("HAWIYA_DATABASE__URL")
    if url:
        return asyncio.run(_pg_fetch(url, query))
    import sqlite3

    conn = sqlite3.connect(Path(env["HAWIYA_DATA_DIR"]) / "hawiya.db", timeout=30)
    try:
        return int(conn.execute(query).fetchone()[0])
    finally:
        conn.close()


async def _pg_fetch(url: str, query: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=10)
    try:
        return int(await conn.fetchval(query, timeout=60))
    finally:
        await conn.close()


def check_session(port: int, headers: dict[str, str]) -> None:
    with httpx.Client(trust_env=False, timeout=30.0) as client:
        resp = client.get(f"http://{HOST}:{port}{SESSION_PATH}", headers=headers)
    if resp.status_code != 200 or resp.json().get("error_code") is not None:
        raise BenchError(f"{SESSION_PATH} failed: HTTP {resp.status_code} {resp.text[:500]}")


# --------------------------------------------------------------------------------------------------
# Report


def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    versions = []
    for dist in ("fastapi", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "aiosqlite"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{dist} {metadata.version(dist)}")
    return {
        "nproc": nproc.strip(),
        "CPU": cpu,
        "memory": mem or "unknown",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "OS": f"{platform.system()} {platform.release()}",
        "packages": ", ".join(versions),
    }


def fmt_num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def fmt_errors(result: dict[str, Any] | None) -> str:
    if result is None:
        return "-"
    return f"{result['errors']:,} / {result['requests']:,}"


def fmt_cpu(result: dict[str, Any] | None) -> str:
    if result is None:
        return "-"
    cpu = result["cpu_cores"]
    server, client, machine = cpu.get("server"), cpu.get("client"), cpu.get("machine")
    other = None
    if machine is not None and server is not None and client is not None:
        other = max(0.0, machine - server - client)
    return "/".join(fmt_num(v, 2) for v in (server, client, other))


def table_rows(
    args: argparse.Namespace, outcomes: dict[str, Outcome], hello: Outcome
) -> tuple[list[str], list[list[str]]]:
    dbs = [db for db in args.databases if db in outcomes]
    header = ["metric", *(LABELS[db] for db in dbs), LABELS["bare"]]
    bare = hello.hello
    rows: list[list[str]] = []

    def metric(name: str, pick: str, fmt: Any, with_bare: bool) -> None:
        row = [name]
        for db in dbs:
            row.append(fmt(getattr(outcomes[db], pick)))
        row.append(fmt(bare) if with_bare else "")
        rows.append(row)

    def rps(r: dict[str, Any] | None) -> str:
        return "-" if r is None else fmt_num(r["rps"], 0)

    def p(q: str) -> Any:
        return lambda r: "-" if r is None else fmt_num(r["latency_ms"][q], 1)

    c, lc = args.concurrency, args.login_concurrency
    metric(f"Session/Current req/s (c={c}); bare: GET /", "session", rps, True)
    metric("Session/Current p50 latency, ms", "session", p("p50"), True)
    metric("Session/Current p99 latency, ms", "session", p("p99"), True)
    metric("Session/Current errors / requests", "session", fmt_errors, True)
    ratio_rps, ratio_p50 = ["Hawiya/bare req/s"], ["Hawiya/bare p50 latency"]
    for db in dbs:
        s = outcomes[db].session
        if s and bare and bare["rps"]:
            ratio_rps.append(f"{s['rps'] / bare['rps']:.2f}x")
        else:
            ratio_rps.append("-")
        if s and bare and s["latency_ms"]["p50"] and bare["latency_ms"]["p50"]:
            ratio_p50.append(f"{s['latency_ms']['p50'] / bare['latency_ms']['p50']:.2f}x")
        else:
            ratio_p50.append("-")
    rows += [[*ratio_rps, "1.00x" if bare else "-"], [*ratio_p50, "1.00x" if bare else "-"]]
    metric(f"Admin logins/s (c={lc})", "login", rps, False)
    metric("Login p50 latency, ms", "login", p("p50"), False)
    metric("Login p99 latency, ms", "login", p("p99"), False)
    metric("Login errors / requests", "login", fmt_errors, False)
    rc = args.register_concurrency
    metric(f"Registrations/s (c={rc}; 3 requests each)", "register", rps, False)
    metric("Registration p50 latency (3 requests), ms", "register", p("p50"), False)
    metric("Registration p99 latency (3 requests), ms", "register", p("p99"), False)
    metric("Registration step p50, ms: send/validate/register", "register", fmt_steps, False)
    metric("Registration errors / attempts", "register", fmt_errors, False)
    metric("end_user rows created / registrations succeeded", "end_users", fmt_rows, False)
    metric("CPU cores server/client/other, Session", "session", fmt_cpu, True)
    metric("CPU cores server/client/other, Login", "login", fmt_cpu, False)
    metric("CPU cores server/client/other, Registration", "register", fmt_cpu, False)
    return header, rows


def fmt_steps(result: dict[str, Any] | None) -> str:
    if result is None or "step_latency_ms" not in result:
        return "-"
    steps = result["step_latency_ms"]
    return "/".join(fmt_num(steps[s]["p50"], 1) for s in ("send", "validate", "register"))


def fmt_rows(rows: dict[str, int] | None) -> str:
    """'created / succeeded' and whether they are equal; succeeded counts every phase (warm-up,
    window, drain) plus the one check registration before the measurement."""
    if rows is None:
        return "-"
    created = rows["after"] - rows["before"]
    mark = "equal" if created == rows["succeeded"] else "MISMATCH"
    return f"{created:,} / {rows['succeeded']:,} ({mark})"


def render_text(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for n, row in enumerate([header, *rows]):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown_table(header: list[str], rows: list[list[str]]) -> str:
    out = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def problems(args: argparse.Namespace, outcomes: dict[str, Outcome], hello: Outcome) -> list[str]:
    """Everything odd: failed phases, error answers, warnings in server logs."""
    notes: list[str] = []
    named = [("bare FastAPI", hello)] + [
        (LABELS[db], outcomes[db]) for db in args.databases if db in outcomes
    ]
    for label, outcome in named:
        if outcome.failure:
            notes.append(f"{label}: FAILED: {outcome.failure.strip()[:1500]}")
        for phase in ("hello", "session", "login", "register"):
            result = getattr(outcome, phase)
            if not result:
                continue
            if result["errors"]:
                notes.append(
                    f"{label} {result['method']} {result['path']}: {result['errors']} errors;"
                    f" statuses {result['statuses']}, error_codes {result['error_codes']},"
                    f" exceptions {result['exceptions']}; e.g. {result['samples'][:3]}"
                )
            if result.get("outside_window_errors") or result.get("cancelled"):
                notes.append(
                    f"{label} registrations outside the measurement window:"
                    f" {result.get('outside_window_errors')} failed,"
                    f" {result.get('cancelled')} cancelled; e.g. {result['samples'][:3]}"
                )
        rows = outcome.end_users
        if rows and rows["after"] - rows["before"] != rows["succeeded"]:
            notes.append(
                f"{label}: end_user rows created ({rows['after'] - rows['before']}) differ from"
                f" the registrations that succeeded ({rows['succeeded']}): {rows}"
            )
        hawiya = outcome is not hello  # the bare app's exit status is uvicorn's, not Hawiya's
        if (
            hawiya
            and outcome.stop_note
            and not outcome.stop_note.startswith("exited with status 0 ")
        ):
            notes.append(f"{label} server {outcome.stop_note}")
        log = outcome.log
        if log and log["counts"]:
            notes.append(
                f"{label} server log: {log['counts']} in {log['lines']} lines;"
                f" e.g. {log['examples'][:3]}"
            )
    return notes


def command_line() -> str:
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = Path(os.path.relpath(python, Path.cwd()))
    script = Path(__file__)
    with contextlib.suppress(ValueError):
        script = Path(os.path.relpath(script.resolve(), Path.cwd()))
    return shlex.join([str(python), str(script), *sys.argv[1:]])


def describe_run(args: argparse.Namespace) -> str:
    smoke = args.duration < FULL_DURATION
    kind = (
        f"SMOKE RUN ({args.duration:g} s per measurement, below the {FULL_DURATION:g} s default):"
        " checks the harness end to end; the figures are indicative only"
        if smoke
        else f"{args.duration:g} s per measurement"
    )
    return (
        f"{kind}; warm-up {args.warmup:g} s before each measurement. Closed loop: each client "
        "holds one HTTP/1.1 keep-alive connection and sends its next request when the answer "
        "arrives. req/s = successful answers received within the measurement window / its "
        "length; latency percentiles are over those answers. Every login is for the tenant's one "
        "admin account (Argon2id verification each time). A registration is three requests on "
        "the client's connection: Register/StepVerifyPhone with a fresh number +2010xxxxxxxx "
        "(send; the tenant is a sandbox, so the code comes back in the answer), the same with the "
        "request id and the code (validate), then Register with both and no password (so no "
        "Argon2 hash); it counts when all three answer HTTP 200 with a null error_code and "
        "Register returns an access token, and its latency spans the three. The server trusts "
        "127.0.0.1 as a reverse proxy and each registration sends its own X-Forwarded-For "
        "address (10.a.b.c), as behind a proxy, so the per-address OTP quota (30 an hour) does "
        "not throttle the run; every other limit is at its default and no number gets a second "
        "code. end_user rows are counted in the database after the server has stopped and "
        "compared with every registration that succeeded (warm-up, window and the one check "
        "registration included). The load generator (bench/loadgen.py) "
        "runs in its own process on the same machine as the server, so client and server share "
        "the same CPU cores; the CPU rows give the average cores used over each measurement by "
        "the server, the load generator and everything else on the machine."
    )


def write_markdown(path: Path, section: str) -> None:
    block = f"{MARK_START}\n{section.rstrip()}\n{MARK_END}\n"
    if path.exists():
        text = path.read_text()
        if MARK_START in text and MARK_END in text:
            head, rest = text.split(MARK_START, 1)
            tail = rest.split(MARK_END, 1)[1].lstrip("\n")
            text = head + block + ("\n" + tail if tail else "")
        else:
            text = text.rstrip() + "\n\n" + block
    else:
        text = (
            "# Benchmarks\n\n"
            "Produced by `bench/run.py`: `.venv/bin/python bench/run.py --markdown "
            "docs/benchmarks.md` rewrites the section between the markers below (`make bench` "
            "runs the same benchmark but only prints the table).\n\n" + block
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=FULL_DURATION, help="seconds per measurement (default 15)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of warm-up before each (default 3)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=64, help="clients for Session/Current and hello (64)"
    )
    parser.add_argument("--login-concurrency", type=int, default=16, help="clients for Login (16)")
    parser.add_argument(
        "--register-concurrency", type=int, default=32, help="clients for registrations (32)"
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma list: sqlite,postgresql"
    )
    parser.add_argument(
        "--markdown", type=Path, help="write/update the results section in this file"
    )
    parser.add_argument(
        "--pg-admin-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="where CREATE/DROP DATABASE are run (must be on 127.0.0.1)",
    )
    parser.add_argument("--note", default="", help="a sentence added to the markdown section")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s")
    parser.add_argument("--max-requests", type=int, default=5_000_000, help="cap per measurement")
    args = parser.parse_args(argv)
    args.databases = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in args.databases if d not in DATABASES]
    if unknown or not args.databases:
        parser.error(f"--databases takes a comma list of {', '.join(DATABASES)}")
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 120):
        parser.error("--duration must be within (0, 600] and --warmup within [0, 120]")
    if not all(
        1 <= c <= 1024
        for c in (args.concurrency, args.login_concurrency, args.register_concurrency)
    ):
        parser.error("concurrencies must be within 1..1024")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_term(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every cleanup below

    signal.signal(signal.SIGTERM, on_term)
    started = dt.datetime.now(dt.UTC)
    facts = machine_facts()
    print(
        f"hawiya bench: {', '.join(LABELS[d] for d in args.databases)}; "
        f"{args.duration:g} s per measurement after {args.warmup:g} s warm-up",
        file=sys.stderr,
    )
    hello = bench_hello(args)
    outcomes: dict[str, Outcome] = {}
    for database in args.databases:
        outcomes[database] = bench_hawiya(database, args)
        facts.update(outcomes[database].facts)

    header, rows = table_rows(args, outcomes, hello)
    notes = problems(args, outcomes, hello)
    fact_lines = [f"{k}: {v}" for k, v in facts.items()]
    print()
    print(f"Hawiya benchmark, {started:%Y-%m-%d %H:%M} UTC")
    print(textwrap.fill(describe_run(args), width=100))
    print()
    print(render_text(header, rows))
    print()
    print("Machine: " + "; ".join(fact_lines))
    print("Problems: " + ("none (no errors, no warnings in the server logs)" if not notes else ""))
    for note in notes:
        print(f"  - {note}")

    if args.markdown:
        section = "\n".join(
            [
                f"## Results, {started:%Y-%m-%d %H:%M} UTC"
                + (" (smoke run)" if args.duration < FULL_DURATION else ""),
                "",
                f"Command: `{command_line()}`",
                "",
                describe_run(args),
                "",
                *([args.note, ""] if args.note else []),
                render_markdown_table(header, rows),
                "",
                "Machine:",
                "",
                *[f"- {line}" for line in fact_lines],
                "",
                "Problems seen during the run:",
                "",
                *(
                    [f"- {n}" for n in notes]
                    or ["- none (no errors, no warnings in the server logs)"]
                ),
            ]
        )
        write_markdown(
            args.markdown if args.markdown.is_absolute() else Path.cwd() / args.markdown, section
        )
        print(f"\nwrote {args.markdown}", file=sys.stderr)
    failed = hello.failure or any(o.failure for o in outcomes.values())
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        print(
            f"\ninterrupted ({exc or 'SIGINT'}); servers stopped, temp data removed",
            file=sys.stderr,
        )
        sys.exit(130)
