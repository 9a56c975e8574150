"""`hawiya serve`, `hawiya worker` and `hawiya demo` (the first-start seeding used by `make
run`)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
from pathlib import Path
from typing import Any

import typer

from hawiya.cli.common import fail, open_env, run
from hawiya.config import get_settings
from hawiya.db.session import session_scope
from hawiya.errors import ApiError
from hawiya.logs import configure_logging


def serve(
    host: str | None = typer.Option(None, "--host", help="default HAWIYA_HOST or 127.0.0.1"),
    port: int | None = typer.Option(None, "--port", help="default HAWIYA_PORT or 8000"),
    worker: bool | None = typer.Option(
        None, "--worker/--no-worker", help="run jobs in this process"
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="server processes; several use several cores"
    ),
) -> None:
    """Serve the API (honours HAWIYA_DATABASE__URL). SIGTERM drains in-flight requests, then exits
    0."""
    import uvicorn

    from hawiya.app import create_app
    from hawiya.secrets_store import WeakSecretError

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    try:
        app = create_app(settings, run_worker=worker)
    except WeakSecretError as exc:
        fail(str(exc), code=2)
        return
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_config": None,
        "server_header": False,
        "proxy_headers": False,  # client addresses come from trusted_proxies handling
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
    }
    if workers > 1:
        # Each process builds its own app from the environment; the checks above already ran
        # here, so a weak secret or an unsafe database stops the command before any fork.
        if worker is not None:
            os.environ["HAWIYA_JOBS__IN_PROCESS"] = "true" if worker else "false"
        uvicorn.run("hawiya.app:create_served_app", factory=True, workers=workers, **options)
        return
    server = uvicorn.Server(uvicorn.Config(app, **options))
    # DUR-4: exit 0 after a graceful SIGTERM. Once it has drained, uvicorn puts back the handler
    # it found and re-raises the signal; under the default handler that ends the process with
    # -SIGTERM (143). With this no-op handler in place that last step does nothing.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    server.run()


def worker() -> None:
    """Run background jobs until SIGTERM or SIGINT."""
    import hawiya.jobs.maintenance  # noqa: F401 - registers handlers
    from hawiya.jobs.registry import registry
    from hawiya.jobs.worker import Worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with open_env() as env:
            await Worker(env.db.writer, settings.jobs, registry).run_until(stop)

    run(body)


def demo(name: str = typer.Option("demo", "--tenant")) -> None:
    """Create the demo tenant on first start and print its ApiKey and admin login.

    The credentials are generated (never a built-in default) and kept in
    <data_dir>/demo-credentials.json
    (mode 0600) so later starts can print them again; delete the file once you have noted them.
    """
    from hawiya.tenants import service as tenant_service

    settings = get_settings()
    store = Path(settings.data_dir) / "demo-credentials.json"

    async def body() -> dict[str, Any] | None:
        async with open_env() as env, session_scope(env.db.writer) as session:
            try:
                await tenant_service.get_tenant(session, name)
                return None
            except ApiError:
                pass
            password = secrets.token_urlsafe(18)
            created = await tenant_service.create_tenant(
                session,
                env.auth,
                name=name,
                admin_email=f"admin@{name}.example",
                admin_password=password,
                sandbox=True,
            )
            return {
                "tenancyName": created.tenant.tenancy_name,
                "apiKey": created.api_key,
                "adminLogin": created.admin.email,
                "adminPassword": password,
            }

    fresh = run(body)
    if fresh is not None:
        store.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(fresh, handle, indent=2)
    if not store.exists():
        typer.echo(
            f"tenant {name!r} exists; its credentials were printed when it was created "
            f"(new key: `hawiya apikey create {name}`)"
        )
        return
    creds = json.loads(store.read_text())
    port = settings.port
    typer.echo(
        "\n".join(
            [
                "",
                "  Hawiya demo tenant (sandbox)",
                f"  TenancyName : {creds['tenancyName']}",
                f"  ApiKey      : {creds['apiKey']}",
                f"  Admin login : {creds['adminLogin']}",
                f"  Password    : {creds['adminPassword']}",
                f"  API docs    : http://127.0.0.1:{port}/docs",
                f"  (kept in {store}, mode 0600)",
                "",
            ]
        )
    )
