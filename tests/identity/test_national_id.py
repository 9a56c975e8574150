"""The national ID number: what it encodes, what makes it invalid, and (FUZZ-2) round trips and
rejection of anything malformed, checked with Hypothesis."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hawiya.identity import national_id as nid

TODAY = date(2026, 11, 22)
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def valid(born: date = date(1999, 1, 23), gov: str = "21", gender: str = nid.MALE) -> str:
    return nid.generate(random.Random(7), birth_date=born, governorate_code=gov, gender=gender)


def test_a_number_decodes_to_its_parts() -> None:
    number = "2990123211233" + str(nid.check_digit("2990123211233"))
    parsed = nid.parse(number, today=TODAY)
    assert parsed.birth_date == date(1999, 1, 23)
    assert (parsed.governorate, parsed.governorate_ar) == ("Giza", "الجيزة")
    assert parsed.gender == nid.MALE and parsed.gender_ar == "ذكر"  # 13th digit 3 is odd
    assert parsed.age_on(TODAY) == 27 and parsed.age_on(date(2026, 1, 22)) == 26
    assert parsed.masked() == f"2**********{number[-3:]}" and number not in parsed.masked()


def test_eastern_arabic_digits_spaces_and_dashes_are_read() -> None:
    number = valid(date(2003, 7, 4), "01", nid.FEMALE)
    printed = f"{number[:1]} {number[1:7]}-{number[7:]}".translate(EASTERN)
    parsed = nid.parse(printed, today=TODAY)
    assert parsed.number == number and parsed.birth_date == date(2003, 7, 4)
    assert parsed.gender == nid.FEMALE and parsed.governorate == "Cairo"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("2990123211234", 3001),  # 13 digits
        ("299012321123456", 3001),  # 15 digits
        ("29901232112a45", 3001),
        ("19901232112345", 3001),  # century digit 1
        ("29913322112345", 3002),  # month 13
        ("29902302112345", 3002),  # 30 February
        ("32701012112345", 3002),  # born in 2027, after today
        ("29901239912345", 3003),  # governorate 99
    ],
)
def test_malformed_numbers_get_their_code(number: str, code: int) -> None:
    with pytest.raises(nid.NationalIdError) as caught:
        nid.parse(number, today=TODAY, verify_check_digit=False)
    assert caught.value.code == code


def test_the_check_digit_is_verified_unless_turned_off() -> None:
    number = valid()
    wrong = number[:13] + str((int(number[13]) + 1) % 10)
    with pytest.raises(nid.NationalIdError) as caught:
        nid.parse(wrong, today=TODAY)
    assert (caught.value.code, caught.value.reason) == (3001, "check digit")
    assert nid.parse(wrong, today=TODAY, verify_check_digit=False).number == wrong


def test_printed_gender_must_agree() -> None:
    parsed = nid.parse(valid(gender=nid.FEMALE), today=TODAY)
    nid.check_gender(parsed, "أنثى")
    nid.check_gender(parsed, None)
    nid.check_gender(parsed, "غير مقروء")  # unreadable: nothing to compare
    with pytest.raises(nid.NationalIdError) as caught:
        nid.check_gender(parsed, "ذكر")
    assert caught.value.code == 3005


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    gov=st.sampled_from(sorted(nid.GOVERNORATES)),
    gender=st.sampled_from([nid.MALE, nid.FEMALE]),
    seed=st.integers(0, 2**32),
    eastern=st.booleans(),
)
def test_generated_numbers_round_trip(
    born: date, gov: str, gender: str, seed: int, eastern: bool
) -> None:
    number = nid.generate(random.Random(seed), birth_date=born, governorate_code=gov, gender=gender)
    parsed = nid.parse(number.translate(EASTERN) if eastern else number, today=TODAY)
    assert (parsed.number, parsed.birth_date, parsed.governorate_code, parsed.gender) == (
        number,
        born,
        gov,
        gender,
    )


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_any_text_either_parses_to_a_consistent_id_or_raises_a_coded_error(text: str) -> None:
    codes = []
    try:
        parsed = nid.parse(text, today=TODAY)
    except nid.NationalIdError as exc:
        codes.append(exc.code)
    if codes:
        assert codes[0] in (3001, 3002, 3003)
        return
    assert len(parsed.number) == 14 and parsed.number.isdigit()
    assert parsed.birth_date <= TODAY


def _date_of(number: str) -> date | None:
    century = 1900 if number[0] == "2" else 2000
    try:
        born = date(century + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    except ValueError:
        return None
    return born if born <= TODAY else None


@settings(max_examples=500, deadline=None)
@given(number=st.from_regex(r"\A[23][0-9]{13}\Z"))
def test_a_digit_string_is_refused_exactly_when_its_date_or_governorate_is_impossible(
    number: str,
) -> None:
    expected = (
        3002
        if _date_of(number) is None
        else (3003 if number[7:9] not in nid.GOVERNORATES else None)
    )
    if expected is None:
        assert nid.parse(number, today=TODAY, verify_check_digit=False).number == number
        return
    with pytest.raises(nid.NationalIdError) as caught:
        nid.parse(number, today=TODAY, verify_check_digit=False)
    assert caught.value.code == expected
