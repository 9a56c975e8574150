"""The synthetic card generator: same seed, same card; the ground truth is what was drawn; every
photo passes the API's own image checks; the card sits where the ground truth says."""

from __future__ import annotations

import base64
import io
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from hawiya.identity import images
from hawiya.identity import national_id as nid
from hawiya.identity.synthetic.card import CARD_LAYOUT, arabic_digits
from hawiya.identity.synthetic.dataset import make_sample, write_samples
from hawiya.identity.synthetic.scene import EASY

TODAY = date(2026, 11, 22)


def test_a_seed_always_makes_the_same_sample() -> None:
    a, b = make_sample(11, today=TODAY), make_sample(11, today=TODAY)
    assert a.front_photo.jpeg == b.front_photo.jpeg and a.back_photo.jpeg == b.back_photo.jpeg
    assert a.truth() == b.truth()
    assert make_sample(12, today=TODAY).truth() != a.truth()


def test_ground_truth_matches_what_was_drawn() -> None:
    for seed in range(4):
        sample = make_sample(seed, today=TODAY)
        truth, person = sample.truth(), sample.person
        parsed = nid.parse(truth["front"]["idNumber"], today=TODAY)
        assert parsed.birth_date.isoformat() == truth["front"]["dateOfBirth"]
        assert parsed.gender == person.gender and parsed.governorate_code == person.governorate_code
        assert truth["front"]["govern"] in truth["front"]["address_2"]
        assert sample.front.fields["idNumber"][0] == arabic_digits(person.id_number)
        assert sample.back.fields["idNumber"][0] == arabic_digits(person.id_number)
        assert sample.front.fields["first_name"][0] == person.first_name
        assert person.expiry_date > person.release_date
        # Every drawn field lies inside its layout region (the OCR reads the same table).
        for side in (sample.front, sample.back):
            for name, (_, (x0, y0, x1, y1)) in side.fields.items():
                rx0, ry0, rx1, ry1 = CARD_LAYOUT[side.side][name].box
                assert rx0 * 1000 - 2 <= x0 < x1 <= rx1 * 1000 + 2, (name, x0, x1)
                assert ry0 * 630 - 6 <= y0 < y1 <= ry1 * 630 + 6, (name, y0, y1)
        if person.gender == nid.MALE:
            assert person.husband_name == "" and "husbandName" not in sample.back.fields


def test_photos_pass_the_api_image_checks_and_the_card_is_where_the_truth_says() -> None:
    sample = make_sample(3, today=TODAY, difficulty=EASY)
    for scene in (sample.front_photo, sample.back_photo):
        decoded = images.decode_image(base64.b64encode(scene.jpeg).decode())
        assert (decoded.width, decoded.height) == scene.size
        assert len(scene.jpeg) < images.MAX_BYTES
        gray = np.asarray(Image.open(io.BytesIO(scene.jpeg)).convert("L"), dtype=float)
        (tlx, tly), _, (brx, bry), _ = scene.corners
        cx, cy = int((tlx + brx) / 2), int((tly + bry) / 2)
        inside = gray[cy - 20 : cy + 20, cx - 20 : cx + 20].mean()
        assert inside > 150  # the card is light where the truth puts its centre
        for x, y in scene.corners:
            assert 0 <= x <= scene.size[0] and 0 <= y <= scene.size[1]


def test_samples_are_written_with_their_truth(tmp_path: Path) -> None:
    assert write_samples(tmp_path, range(2), today=TODAY) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "0-back.jpg",
        "0-front.jpg",
        "0.json",
        "1-back.jpg",
        "1-front.jpg",
        "1.json",
    ]
    assert "idNumber" in (tmp_path / "0.json").read_text(encoding="utf-8")
