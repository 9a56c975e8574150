"""Models load once per test session; the two public-domain portraits are framed once."""

from __future__ import annotations

import pytest

from hawiya.identity.faces import synthetic, warm_up


@pytest.fixture(scope="session", autouse=True)
def _models() -> None:
    warm_up()


@pytest.fixture(scope="session")
def astronaut() -> synthetic.Portrait:
    return synthetic.prepare(synthetic.astronaut())


@pytest.fixture(scope="session")
def hopper() -> synthetic.Portrait:
    return synthetic.prepare(synthetic.grace_hopper())
