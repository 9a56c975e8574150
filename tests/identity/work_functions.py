"""Functions the worker-pool tests send to other processes (they must be importable there)."""

from __future__ import annotations

import os
import time


def pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def sleep_then(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def die() -> None:
    os._exit(3)  # a worker crashing in native code looks like this
