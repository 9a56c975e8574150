"""AML screening on the API: /v1/ocr/aml/validate and the liveness step fill services.AML with
the types the strict iOS decoder needs (caseYear Int, score String, every field present);
national ID hits rank first; a tenant's blacklist is screened for that tenant only; a customer
found on a list stays unverified and waits for an officer."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from hawiya.identity.aml import store
from hawiya.identity.synthetic.dataset import make_sample
from tests.http.routes import Caller, ensure_user, new_caller, verify_user
from tests.http.support import assert_success, scanned

PATH = "/v1/ocr/aml/validate"
LISTED = "29001011234566"
RECORD_KEYS = {"caseNo", "caseYear", "recordDate", "fullName", "idNumber", "dateOfBirth", "score"}


async def _blacklist(app: FastAPI, c: Caller, tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / f"blacklist-{uuid.uuid4().hex}.csv"
    path.write_text("name,national_id,case_no,case_year,record_date\n" + "\n".join(rows) + "\n")
    report = await store.import_list(
        app.state.db.writer,
        app.state.data_keys,
        "blacklist",
        path,
        tenant_id=uuid.UUID(c.tenant.id),
        name="fraud",
        verify_check_digit=False,
    )
    assert report.imported == len(rows), report


async def _screen(c: Caller, **body: Any) -> dict[str, Any]:
    response = await c.http.post(PATH, json=body, headers=c.key(Authorization="Bearer null"))
    assert_success(response)
    aml: dict[str, Any] = response.json()["services"]["AML"]
    return aml


async def test_names_across_scripts_and_id_numbers_first(app: FastAPI, tmp_path: Path) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        await _blacklist(
            app,
            a,
            tmp_path,
            [
                f"محمد أحمد علي حسن,{LISTED},17,2019,2019-03-04",
                "سارة محمود عبد الرحمن,,22,,",
            ],
        )
        latin = await _screen(a, name="Mohamed Ahmed Aly Hassan", client_transaction_id="k")
        assert latin["AML_matched"] is True
        (hit,) = latin["data"]
        assert set(hit) >= RECORD_KEYS
        assert hit["fullName"] == "محمد أحمد علي حسن" and hit["caseNo"] == "17"
        assert type(hit["caseYear"]) is int and hit["caseYear"] == 2019
        assert type(hit["score"]) is str and 85 <= float(hit["score"]) < 100
        assert hit["idNumber"] == LISTED and hit["recordDate"].startswith("2019-03-04")
        by_number = await _screen(a, name="Sara Mahmoud Abdelrahman", idNumber=LISTED)
        assert [d["matchKind"] for d in by_number["data"]] == ["id_number", "name"]
        assert by_number["data"][0]["score"] == "100.00"
        assert by_number["data"][1]["fullName"] == "سارة محمود عبد الرحمن"
        assert by_number["data"][1]["caseYear"] == 0  # no year and no date on the list
        assert await _screen(a, name="Karim Youssef Nabil") == {"AML_matched": False, "data": []}
        # Tenant B's customers are not screened against A's blacklist.
        assert (await _screen(b, name="Mohamed Ahmed Ali Hassan", idNumber=LISTED))[
            "AML_matched"
        ] is False


async def test_a_listed_customer_stays_unverified_for_review(app: FastAPI, tmp_path: Path) -> None:
    person = make_sample(7, today=date.today()).person  # the card of card_pictures()
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        await _blacklist(app, c, tmp_path, [f"{person.full_name},{person.id_number},5,2024,"])
        data = await verify_user(c)
        assert data["isVerificationProcessCompleted"] is True
        assert data["isDigitalIdentityVerified"] is False
        reviews = assert_success(await http.get("/api/hawiya/IdentityReviews", headers=c.admin()))
        (item,) = reviews
        assert item["reasons"] == ["amlMatch"]
        detail = assert_success(
            await http.get(
                f"/api/hawiya/IdentityReviews/{item['transactionId']}", headers=c.admin()
            )
        )
        assert detail["results"]["aml"]["matched"] is True
        assert detail["results"]["aml"]["hits"][0]["kind"] == "id_number"
