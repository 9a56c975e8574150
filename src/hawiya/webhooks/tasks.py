"""The `webhooks.deliver` job: wake one delivery (webhooks/delivery.py does the rest).

Job handlers receive only the session maker, so the delivery runtime (settings, the data-key
ring that opens the secrets, the process-wide pool) is built once per process from the
installation's settings, or installed by whoever runs the worker with other settings (tests).
"""

from __future__ import annotations

import uuid
from typing import Any

from hawiya.config import get_settings
from hawiya.datakeys.service import DataKeyring
from hawiya.jobs.registry import JobRuntime, job
from hawiya.secrets_store import load_master_secret
from hawiya.webhooks import delivery
from hawiya.webhooks.service import DELIVER_JOB, DELIVER_JOB_ATTEMPTS

_runtime: list[delivery.DeliveryRuntime] = []


def current_runtime() -> delivery.DeliveryRuntime:
    if not _runtime:
        settings = get_settings()
        keyring = DataKeyring.build(load_master_secret(settings))
        _runtime.append(delivery.DeliveryRuntime.build(settings.webhooks, keyring))
    return _runtime[0]


def install_runtime(runtime: delivery.DeliveryRuntime | None) -> None:
    """Use this runtime for the jobs of this process (None: build from settings again)."""
    _runtime.clear()
    if runtime is not None:
        _runtime.append(runtime)


@job(DELIVER_JOB, max_attempts=DELIVER_JOB_ATTEMPTS)
async def deliver(runtime: JobRuntime, payload: dict[str, Any]) -> None:
    # The attempt runs in the pool; the worker goes on with the next job at once (WH-6).
    await delivery.start(
        runtime.maker,
        current_runtime(),
        uuid.UUID(str(payload["tenantId"])),
        uuid.UUID(str(payload["deliveryId"])),
    )
