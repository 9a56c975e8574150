"""create_app(settings) -> FastAPI: lifespan (database, keys, worker), routers, handlers,
middleware."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

import hawiya.jobs.maintenance  # noqa: F401 - registers the housekeeping jobs
from hawiya import __version__
from hawiya.api import ROUTERS
from hawiya.auth.keyring import ensure_active_key
from hawiya.auth.runtime import AuthRuntime
from hawiya.config import Settings, get_settings
from hawiya.datakeys.service import DataKeyring
from hawiya.db.engine import check_durability
from hawiya.db.session import Database, session_scope
from hawiya.envelope import EnvelopeResponse, install_error_handlers
from hawiya.identity.aml.screening import AmlScreening
from hawiya.identity.authority import DisabledAuthorityChecks
from hawiya.identity.image_store import ImageVault, blob_store
from hawiya.identity.tasks import worker_start
from hawiya.identity.workers import WorkPool
from hawiya.jobs.registry import registry
from hawiya.jobs.worker import Worker
from hawiya.messaging.service import Messenger
from hawiya.middleware import BodyMiddleware, RequestMiddleware
from hawiya.openapi import install_openapi
from hawiya.ops.metrics import Metrics
from hawiya.providers.oidc import IdTokenVerifier
from hawiya.secrets_store import load_master_secret

log = logging.getLogger("hawiya.app")


def _install_docs(app: FastAPI) -> None:
    """/docs from assets shipped in a Python package: the browser fetches nothing from outside
    (offline by design; the page's CSP allows only this origin)."""
    assets = files("fastapi_offline") / "static"
    app.mount("/docs/static", StaticFiles(directory=str(assets)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def get_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Hawiya API",
            swagger_js_url="/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon.png",
        )


def _operation_id(route: APIRoute) -> str:
    # The handler's name is the operationId (stable, and the SDK method name later).
    return route.name


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> FastAPI:
    settings = settings or get_settings()
    master = load_master_secret(settings)  # refuses weak secrets before anything else starts
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database.connect(
            settings.database_url(),
            pool_size=settings.database.pool_size,
            busy_timeout_ms=settings.database.sqlite_busy_timeout_ms,
        )
        try:
            await check_durability(
                db.engine, allow_unsafe=settings.database.allow_unsafe_durability
            )
            runtime = AuthRuntime.build(settings, master, db.reader)
            async with session_scope(db.writer) as session:
                await ensure_active_key(session, runtime.seal_key)
            await runtime.keyring.load()
        except BaseException:
            await db.dispose()
            raise
        app.state.db = db
        app.state.auth = runtime
        stop = asyncio.Event()
        worker_task = None
        if run_worker if run_worker is not None else settings.jobs.in_process:
            worker_task = asyncio.create_task(
                Worker(db.writer, settings.jobs, registry).run_until(stop)
            )
        # Processes start on the first image request, not here: a server that never reads an
        # image never pays for the models.
        identity = settings.identity
        app.state.image_pool = WorkPool(
            identity.process_count(),
            identity.queue_size(),
            identity.timeout_seconds,
            initializer=worker_start,
            initargs=(str(Path(settings.data_dir) / "models"),),
        )
        try:
            yield
        finally:
            app.state.image_pool.close()
            stop.set()
            if worker_task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(worker_task, timeout=settings.shutdown_grace_seconds)
            await db.dispose()

    app = FastAPI(
        title="Hawiya",
        version=__version__,
        description="Self-hostable server for the Vlens digital-identity and e-contracting API.",
        lifespan=lifespan,
        default_response_class=EnvelopeResponse,
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
    )
    _install_docs(app)
    install_openapi(app)
    app.state.settings = settings
    app.state.messenger = Messenger(outbox_dir=Path(settings.data_dir) / "outbox")
    app.state.oidc = IdTokenVerifier()  # one per process: it caches the providers' keys
    app.state.data_keys = DataKeyring.build(master)
    app.state.images = ImageVault(app.state.data_keys, blob_store(settings))
    app.state.aml = AmlScreening(app.state.data_keys)
    app.state.authority = DisabledAuthorityChecks()
    app.state.metrics = metrics
    app.state.strict_errors = settings.http_errors == "strict"
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(BodyMiddleware, settings=settings)
    if settings.http.cors_origins:
        # Only the listed origins, and never with credentials (HDR-1).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.http.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "ApiKey",
                "Authorization",
                "Content-Type",
                "TenancyName",
                "Accept-Language",
                "Accept_Language",
                "X-Request-Id",
            ],
            expose_headers=["X-Request-Id", "Retry-After"],
        )
    app.add_middleware(RequestMiddleware, settings=settings, metrics=metrics)
    return app


def create_served_app() -> FastAPI:
    """The factory `hawiya serve --workers N` hands to each server process."""
    from hawiya.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
