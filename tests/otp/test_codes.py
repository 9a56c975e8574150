"""OTP-1: six digits from the operating system's CSPRNG, leading zeros kept, uniform, and no
`random` anywhere in the OTP modules."""

from __future__ import annotations

import ast
import re
import secrets
from collections import Counter
from pathlib import Path

import pytest

import hawiya
from hawiya.otp import codes

DRAWS = 100_000
# Upper 0.1 % point of the chi-square distribution with 9 degrees of freedom: a statistic above it
# means p < 0.001 (scipy.stats.chi2.ppf(0.999, 9) = 27.877).
CHI2_CRITICAL_9DF_P001 = 27.877
SRC = Path(hawiya.__file__).parent


def chi_square(counts: Counter[str], categories: list[str], total: int) -> float:
    expected = total / len(categories)
    return sum((counts.get(c, 0) - expected) ** 2 / expected for c in categories)


def test_new_code_draws_from_secrets_randbelow(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = secrets.randbelow

    def spy(upper: int) -> int:
        calls.append(upper)
        return real(upper)

    monkeypatch.setattr(secrets, "randbelow", spy)
    for _ in range(5):
        assert re.fullmatch(r"\d{6}", codes.new_code())
    assert calls == [10**6] * 5


@pytest.mark.parametrize(
    ("drawn", "expected"), [(0, "000000"), (7, "000007"), (42_001, "042001"), (999_999, "999999")]
)
def test_leading_zeros_are_kept(monkeypatch: pytest.MonkeyPatch, drawn: int, expected: str) -> None:
    monkeypatch.setattr(secrets, "randbelow", lambda upper: drawn)
    assert codes.new_code() == expected


def test_100k_draws_are_six_digits_and_uniform_over_the_first_digit() -> None:
    draws = [codes.new_code() for _ in range(DRAWS)]
    assert all(len(code) == 6 and code.isascii() and code.isdigit() for code in draws)
    digits = [str(d) for d in range(10)]
    first = Counter(code[0] for code in draws)
    assert set(first) == set(digits)  # '0' among them: leading zeros survive
    assert chi_square(first, digits, DRAWS) < CHI2_CRITICAL_9DF_P001, first


def test_chi_square_check_detects_a_skewed_generator() -> None:
    """The uniformity check is not vacuous: a generator that never starts with 0 or 9 fails it."""
    digits = [str(d) for d in range(10)]
    skewed: Counter[str] = Counter(dict.fromkeys(digits[1:9], DRAWS // 8))
    assert chi_square(skewed, digits, DRAWS) > CHI2_CRITICAL_9DF_P001


def otp_modules() -> list[Path]:
    modules = sorted((SRC / "otp").rglob("*.py"))
    modules += sorted(p for p in SRC.rglob("otp*.py") if p not in modules)
    return modules


def imports_random(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "random"]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] == "random":
                found.append(module)
            # e.g. `from numpy import random`
            found += [f"{module}.{a.name}" for a in node.names if a.name == "random"]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "__import__"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).split(".")[0] == "random"
        ):
            found.append(str(node.args[0].value))
    return found


def test_no_otp_module_imports_random() -> None:
    modules = otp_modules()
    assert SRC / "otp" / "codes.py" in modules
    assert SRC / "models" / "otp.py" in modules
    offenders = {str(p.relative_to(SRC)): hits for p in modules if (hits := imports_random(p))}
    assert offenders == {}


def test_random_import_lint_catches_each_form(tmp_path: Path) -> None:
    for source in (
        "import random\n",
        "import random as r\n",
        "from random import randint\n",
        "from numpy import random\n",
        "__import__('random')\n",
    ):
        module = tmp_path / "otp_sample.py"
        module.write_text(source)
        assert imports_random(module), source
    module.write_text("import secrets\nfrom hawiya.kit import ids\n")
    assert imports_random(module) == []
