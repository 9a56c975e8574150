"""DUR-4: on SIGTERM the real server stops accepting connections, finishes the request in flight
and exits 0 within 30 s. Also shows `hawiya db upgrade` and `hawiya serve --host --port` honour
HAWIYA_DATABASE__URL (the server logs in an administrator that exists only in that database)."""

from __future__ import annotations

import json
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.cli import HAWIYA, Cli

PASSWORD = "Zebra-Violin-Quartz-Mango-77"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server not healthy in 30 s:\n{log.read_text()}")


def refused_within(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    sock.settimeout(30)
    raw = b""
    while chunk := sock.recv(65536):
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
    if headers.get("transfer-encoding") == "chunked":
        decoded = b""
        while True:
            size_line, _, rest = body.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            decoded, body = decoded + rest[:size], rest[size + 2 :]
        body = decoded
    return int(status_line.split()[1]), headers, body


@pytest.mark.slow
def test_sigterm_finishes_in_flight_request_and_exits_zero(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere" / "hawiya.db"  # not the default <data_dir>/hawiya.db
    cli = Cli(f"sqlite:///{database}", tmp_path / "data", secrets.token_hex(32))
    cli.run("db", "upgrade")
    assert database.exists() and not (tmp_path / "data" / "hawiya.db").exists()
    tenant = cli.json(
        "tenant", "create", "shutdown", "--admin-email", "ops@shutdown.test",
        "--admin-password", PASSWORD, "--json",
    )  # fmt: skip

    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(HAWIYA), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**cli.env, "HAWIYA_LOG_LEVEL": "INFO"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(port, process, log)
        body = json.dumps(
            {
                "tenancyName": "shutdown",
                "userNameOrEmailAddress": "ops@shutdown.test",
                "password": PASSWORD,
            }
        ).encode()
        pieces = [body[i : i + 12] for i in range(0, len(body), 12)]
        interval = 2.0 / len(pieces)  # the body trickles in over about 2 s
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        with sock:
            sock.sendall(
                (
                    "POST /api/credentials/Login HTTP/1.1\r\n"
                    f"Host: 127.0.0.1:{port}\r\n"
                    "Content-Type: application/json\r\n"
                    f"ApiKey: {tenant['apiKey']}\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                ).encode()
            )
            signalled_at: float | None = None
            for index, piece in enumerate(pieces[:-1]):
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                time.sleep(interval)
                if index == len(pieces) // 3:
                    process.send_signal(signal.SIGTERM)
                    signalled_at = time.monotonic()
            assert signalled_at is not None
            # Our request is still in flight (its body is not complete), and already the server
            # takes no new connections.
            refused = refused_within(port, seconds=10)
            assert process.poll() is None  # still serving the request in flight
            last = pieces[-1]
            sock.sendall(f"{len(last):x}\r\n".encode() + last + b"\r\n0\r\n\r\n")
            status, headers, payload = read_response(sock)

        assert refused is True, "new connections were still accepted 10 s after SIGTERM"
        assert status == 200 and headers["content-type"].startswith("application/json")
        envelope = json.loads(payload)
        assert set(envelope) >= {"data", "error_code", "error_message", "error_descriptions"}
        assert envelope["error_code"] is None, envelope
        assert envelope["data"]["accessToken"].count(".") == 2
        returncode = process.wait(timeout=30)
        assert time.monotonic() - signalled_at < 30
        assert returncode == 0, log.read_text()
        assert not (tmp_path / "data" / "hawiya.db").exists()  # served from the URL's database
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
