"""The generated docs are current, and the committed Vlens endpoint list keeps up with the spec."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from hawiya.api import api_routes
from hawiya.compat import load_catalogue
from hawiya.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT.parent / "shared" / "spec"
API_SPEC = SPEC_DIR / "vlens-api.md"
CLIENTS_SPEC = SPEC_DIR / "vlens-clients.md"
SPEC_PATH = re.compile(r"(?:\b(GET|POST|PUT|PATCH|DELETE) )?`(/(?:api|v1)/[^`\s]*)`")
needs_spec = pytest.mark.skipif(not API_SPEC.exists(), reason=f"{API_SPEC} not present")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen_docs() -> ModuleType:
    return _load_generator()


def test_generated_docs_are_current(gen_docs: ModuleType) -> None:
    stale = gen_docs.stale_docs()
    assert not stale, f"stale docs: {stale}; run `python scripts/gen_docs.py` and commit them"


def test_check_mode_names_a_stale_file(gen_docs: ModuleType, tmp_path: Path) -> None:
    for name, render in gen_docs.DOCS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(render(), encoding="utf-8")
    assert gen_docs.stale_docs(tmp_path) == []
    (tmp_path / "docs/errors.md").write_text("outdated\n", encoding="utf-8")
    assert gen_docs.stale_docs(tmp_path) == ["docs/errors.md"]


def test_check_mode_exit_status() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_every_route_is_in_the_compatibility_doc() -> None:
    text = (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
    missing = [
        f"{method} {route.path}"
        for route in api_routes()
        for method in sorted(route.methods or ())
        if f"`{method} {route.path}`" not in text
    ]
    assert not missing, f"routes missing from docs/compatibility.md: {missing}"


def _section_2(text: str) -> str:
    start = text.index("\n## 2.")
    return text[start : text.index("\n## 3.", start)]


def _spec_mentions(text: str) -> list[tuple[str | None, str]]:
    """(method or None, path) of every endpoint path quoted in §2: its tables, headings and the
    one-line entries such as §2.9 GetTransactionById."""
    found = []
    for line in _section_2(text).splitlines():
        for method, raw in SPEC_PATH.findall(line):
            path = raw.split("?", 1)[0]
            if path.endswith("/") or "*" in path or "..." in path:
                continue  # a family prefix such as `/api/credentials/`, not an endpoint
            found.append((method or None, path))
    return found


@needs_spec
def test_every_spec_path_is_listed() -> None:
    catalogue = load_catalogue()
    paths = {e.path for e in catalogue.endpoints}
    keys = {e.key for e in catalogue.endpoints}
    mentions = _spec_mentions(API_SPEC.read_text(encoding="utf-8"))
    assert len(mentions) > 50  # the extraction itself still works
    missing = sorted({p for _, p in mentions if p not in paths})
    assert not missing, f"paths in spec §2 missing from vlens_endpoints.json: {missing}"
    wrong = sorted({f"{m} {p}" for m, p in mentions if m and (m, p) not in keys})
    assert not wrong, f"method + path in spec §2 not in vlens_endpoints.json: {wrong}"


@needs_spec
def test_every_listed_path_is_in_the_spec() -> None:
    texts = {
        "vlens-api.md": API_SPEC.read_text(encoding="utf-8"),
        "vlens-clients.md": CLIENTS_SPEC.read_text(encoding="utf-8")
        if CLIENTS_SPEC.exists()
        else "",
    }

    def named(path: str, alias: bool, text: str) -> bool:
        # Aliases are named by their last segment only (`Register/StepCreate`).
        last = re.escape(path.rsplit("/", 1)[-1])
        return f"`{path}" in text or (alias and re.search(f"[`/]{last}`", text) is not None)

    unknown = [
        e.label
        for e in load_catalogue().endpoints
        if texts[e.source] and not named(e.path, e.alias_of is not None, texts[e.source])
    ]
    assert not unknown, f"vlens_endpoints.json lists paths its spec file does not name: {unknown}"


def test_every_setting_has_a_description() -> None:
    undocumented = []
    for name, field in Settings.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            undocumented += [
                f"{name}.{n}" for n, f in model.model_fields.items() if not f.description
            ]
        elif not field.description:
            undocumented.append(name)
    assert not undocumented, f"add description= to these settings: {undocumented}"
