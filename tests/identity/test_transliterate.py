"""name_english, first_name_english, last_names_english (spec §6.1): Egyptian spellings of the
names on the card."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from hawiya.identity.synthetic.dataset import make_sample
from hawiya.identity.transliterate import english_names, transliterate
from tests.http.routes import card_pictures, new_caller
from tests.http.support import assert_success, scanned


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد أحمد علي حسن", "Mohamed Ahmed Ali Hassan"),
        ("عبد الرحمن محمود السيد", "Abdelrahman Mahmoud El Sayed"),  # a compound, the article
        ("سارة مصطفى الشافعي", "Sara Mostafa El Shafei"),
        ("إيمان البنا", "Eman El Banna"),  # hamza forms fold
        ("فاطمه عبد الحميد قنديل", "Fatma Abdelhamid Kandil"),  # ه for ة as OCR may read it
        ("حسانين", "Hasanin"),  # not in the lexicon: letter by letter
        ("الحسانين", "El Hasanin"),
    ],
)
def test_names(arabic: str, latin: str) -> None:
    assert transliterate(arabic) == latin


def test_front_fields() -> None:
    fields: dict[str, str | None] = {
        "name": "كريم طارق درويش",
        "first_name": "كريم",
        "last_names": "طارق درويش",
    }
    assert english_names(fields) == {
        "name_english": "Karim Tarek Darwish",
        "first_name_english": "Karim",
        "last_names_english": "Tarek Darwish",
    }
    assert english_names({"name": None, "first_name": " "}) == {
        "name_english": None,
        "first_name_english": None,
        "last_names_english": None,
    }


async def test_the_card_answer_carries_the_latin_names(app: FastAPI) -> None:
    person = make_sample(7, today=date.today()).person  # the card of card_pictures()
    async with scanned(app) as http:
        c = await new_caller(app, http)
        response = await http.post(
            "/v1/ocr/id/front", json={"image": card_pictures()["front"]}, headers=c.key()
        )
        front = assert_success(response)["idFrontData"]
        assert front["name"] == person.full_name
        assert front["name_english"] == transliterate(person.full_name)
        assert front["first_name_english"] == transliterate(person.first_name)
        assert front["name_english"] and front["name_english"].isascii()
