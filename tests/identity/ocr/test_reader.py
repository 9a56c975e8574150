"""Both sides read end to end from generated phone photos: the ID number, names, address and
dates exactly as the generator drew them, the photo for face matching, and the spec's codes for
what is wrong (3010 expired, 3011 no card, 3101 sides that differ, 3014 no face, 3001...)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PIL import Image

from hawiya.identity import national_id as nid
from hawiya.identity.ocr import (
    CardNotDetected,
    cross_check,
    errors,
    read_back,
    read_front,
    with_face_check,
)
from hawiya.identity.ocr.reader import BACK_FIELDS, FRONT_FIELDS
from hawiya.identity.synthetic.card import PHOTO_BOX
from hawiya.identity.synthetic.dataset import Sample
from tests.identity.ocr.support import TODAY, photo, turned


def test_the_front_is_read(samples: dict[int, Sample]) -> None:
    for sample in samples.values():
        truth = sample.truth()["front"]
        result = read_front(photo(sample.front_photo.jpeg), today=TODAY)
        data = result.data()
        assert set(data) == set(FRONT_FIELDS)
        for name in ("idNumber", "first_name", "last_names", "name", "address_1", "address_2",
                     "govern", "idKey", "dateOfBirth", "gender"):  # fmt: skip
            assert data[name] == truth[name], (sample.seed, name)
        assert data["address"] == f"{truth['address_1']} {truth['address_2']}"
        assert result.errors == []
        assert min(result.confidence.values()) > 0.3
        width = round((PHOTO_BOX[2] - PHOTO_BOX[0]) * 1000)
        assert abs(result.photo.width - width) <= 1 and result.face_present is None


def test_the_back_is_read(samples: dict[int, Sample]) -> None:
    for sample in samples.values():
        truth = sample.truth()["back"]
        result = read_back(photo(sample.back_photo.jpeg), today=TODAY)
        data = result.data()
        assert set(data) == set(BACK_FIELDS)
        for name in BACK_FIELDS:
            assert data[name] == truth[name], (sample.seed, name)
        assert result.errors == []


def test_an_upside_down_photo_reads_the_same(samples: dict[int, Sample]) -> None:
    sample = samples[5]
    image, _ = turned(photo(sample.front_photo.jpeg), sample.front_photo.corners, 2)
    front = read_front(image, today=TODAY)
    assert front.card.upside_down
    assert (
        front.idNumber == sample.person.id_number and front.first_name == sample.person.first_name
    )
    image, _ = turned(photo(sample.back_photo.jpeg), sample.back_photo.corners, 2)
    back = read_back(image, today=TODAY)
    assert back.card.upside_down and back.idNumber == sample.person.id_number
    assert back.husbandName == sample.person.husband_name != ""


def test_no_card_is_3011() -> None:
    blank = Image.new("RGB", (1024, 768), (200, 200, 200))
    for reader in (read_front, read_back):
        with pytest.raises(CardNotDetected) as raised:
            reader(blank, today=TODAY)
        assert raised.value.code == 3011


def test_an_expired_card_is_3010_and_a_future_release_3006(samples: dict[int, Sample]) -> None:
    sample = samples[0]
    expiry = sample.person.expiry_date
    later = read_back(photo(sample.back_photo.jpeg), today=expiry + timedelta(days=1))
    assert [(e.field, e.code) for e in later.errors] == [("idExpiry", errors.DOCUMENT_EXPIRED)]
    assert later.errors[0].value == expiry.isoformat()
    released = sample.person.release_date
    earlier = read_back(photo(sample.back_photo.jpeg), today=released - timedelta(days=1))
    codes = {e.code for e in earlier.errors}
    assert errors.INVALID_RELEASE_DATE in codes and errors.DOCUMENT_EXPIRED not in codes


def test_the_number_is_validated(samples: dict[int, Sample]) -> None:
    sample = samples[4]
    born = nid.parse(sample.person.id_number, today=TODAY).birth_date
    # a day before the holder was born, the number's birth date is in the future: 3002
    front = read_front(photo(sample.front_photo.jpeg), today=born - timedelta(days=1))
    assert [(e.field, e.code) for e in front.errors] == [("dateOfBirth", 3002)]
    assert front.dateOfBirth == "" and front.gender == ""


def test_the_sides_are_checked_against_each_other(samples: dict[int, Sample]) -> None:
    a, b = samples[0], samples[4]
    front = read_front(photo(a.front_photo.jpeg), today=TODAY)
    same = read_back(photo(a.back_photo.jpeg), today=TODAY)
    other = read_back(photo(b.back_photo.jpeg), today=TODAY)
    assert cross_check(front, same) == []
    (problem,) = cross_check(front, other)
    assert (problem.field, problem.code) == ("idNumber", errors.ID_NUMBER_MISMATCH)
    assert problem.value == b.person.id_number


def test_the_face_engine_verdict_adds_3014(samples: dict[int, Sample]) -> None:
    front = read_front(photo(samples[0].front_photo.jpeg), today=TODAY)
    no_face = with_face_check(front, present=False)
    assert no_face.face_present is False
    assert [e.code for e in no_face.errors] == [errors.NO_FACE_ON_ID]
    assert with_face_check(no_face, present=True).errors == []


def test_a_field_the_frame_cuts_has_no_confidence(samples: dict[int, Sample]) -> None:
    sample = samples[0]
    image = photo(sample.back_photo.jpeg)
    _, (_, right_top), _, _ = sample.back_photo.corners  # the number is at the top right
    cut = image.crop((0, int(right_top + 45), image.width, image.height))  # through it
    result = read_back(cut, today=TODAY)
    # the border stands for the card's top edge: the band along it is not trusted
    assert result.card.visible((0.0, 0.0, 1.0, 0.05)) == 0.0
    assert result.confidence["idNumber"] == 0.0
    assert any(e.code == errors.INVALID_ID_NUMBER for e in result.errors)
