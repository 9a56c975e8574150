"""Cleaning Tesseract's output and snapping closed vocabularies."""

from __future__ import annotations

from hawiya.identity import national_id as nid
from hawiya.identity.ocr import text


def test_noise_that_cannot_be_on_a_card_goes() -> None:
    assert text.clean("\u200fمحمد  أحمد.\u200e") == "محمد أحمد"
    assert text.clean("'الدقي– الجيزة") == "الدقي - الجيزة"
    assert text.clean("عليّ") == "علي"  # harakat
    assert text.clean("کریم") == "كريم"  # Persian forms
    assert text.clean("على") == "على"  # ى and ي are both valid: left alone
    # a dash read as the Arabic zero between two words (a card photographed small)
    assert text.clean("ثان ٠ الفيوم") == "ثان - الفيوم"
    assert text.clean("شارع ٠١٢") == "شارع ٠١٢"  # a number is left alone


def test_the_governorate_is_snapped_from_the_end_of_the_address() -> None:
    line, found = text.split_governorate("المنشية - الإسكندريه")
    assert (line, found.value, found.known) == ("المنشية - الإسكندرية", "الإسكندرية", True)
    line, found = text.split_governorate("مدينة نصر القاهره")  # the dash was not read
    assert (line, found.value) == ("مدينة نصر القاهرة", "القاهرة")
    line, found = text.split_governorate("الدقي - شارع")  # nothing close: left as read
    assert (line, found.known, found.similarity) == ("الدقي - شارع", False, 0.0)
    assert found.value == "شارع"


def test_the_status_line_reads_as_gender_religion_and_marital_status() -> None:
    status = text.read_status("أنثى مسلمة أرملة")
    assert (status.gender, status.religion, status.marital_status) == (nid.FEMALE, "مسلمة", "أرملة")
    assert status.similarity == 1.0
    status = text.read_status("ذكر مسيحى متزوح")  # two letters misread
    assert (status.gender, status.religion, status.marital_status) == (nid.MALE, "مسيحي", "متزوج")
    assert 0.8 < status.similarity < 1.0
    assert text.read_status("بالقطاع الخاص").gender == ""


def test_the_husband_label_is_removed() -> None:
    assert text.strip_label("اسم الزوج: ماجد حازم الشافعي", "اسم الزوج") == "ماجد حازم الشافعي"
    assert text.strip_label("اسم الروج ماجد حازم", "اسم الزوج") == "ماجد حازم"  # no colon read


def test_edit_distance() -> None:
    assert text.distance("", "abc") == 3
    assert text.distance("kitten", "sitting") == 3
    assert text.distance("قنا", "قنا") == 0
    assert text.snap("بني سويف", text.GOVERNORATES_AR).value == "بني سويف"
