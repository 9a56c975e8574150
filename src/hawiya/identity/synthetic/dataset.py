"""One synthetic sample per seed: a person, both sides of their card, and each side photographed,
with the ground truth the accuracy benchmark compares against."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image

from hawiya.identity.synthetic.card import RenderedSide, render_back, render_front
from hawiya.identity.synthetic.people import CardPerson, make_person
from hawiya.identity.synthetic.scene import NORMAL, Difficulty, Scene, photograph


@dataclass(frozen=True, slots=True)
class Sample:
    seed: int
    person: CardPerson
    front: RenderedSide
    back: RenderedSide
    front_photo: Scene
    back_photo: Scene

    def truth(self) -> dict[str, Any]:
        """The fields as the API reports them (spec §6.1), plus where the card lies."""
        p = self.person
        return {
            "seed": self.seed,
            "front": {
                "first_name": p.first_name,
                "last_names": p.last_names,
                "name": p.full_name,
                "address_1": p.address_1,
                "address_2": p.address_2,
                "govern": p.governorate_ar,
                "idKey": p.id_key,
                "idNumber": p.id_number,
                "dateOfBirth": p.birth_date.isoformat(),
                "gender": p.gender,
                "corners": self.front_photo.corners,
            },
            "back": {
                "idNumber": p.id_number,
                "job": p.job,
                "jobTitle": p.job_title,
                "gender": p.gender,
                "religion": p.religion,
                "maritalStatus": p.marital_status,
                "husbandName": p.husband_name,
                "releaseDate": p.release_date.isoformat(),
                "idExpiry": p.expiry_date.isoformat(),
                "corners": self.back_photo.corners,
            },
        }


def make_sample(
    seed: int,
    *,
    today: date,
    difficulty: Difficulty = NORMAL,
    photo: Image.Image | None = None,
) -> Sample:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    person = make_person(rng, today=today)
    front = render_front(person, rng, photo)
    back = render_back(person, rng)
    return Sample(
        seed, person, front, back, photograph(front.image, rng, difficulty),
        photograph(back.image, rng, difficulty),
    )  # fmt: skip


def write_samples(out: Path, seeds: range, *, today: date) -> int:
    """<seed>-front.jpg, <seed>-back.jpg and <seed>.json for each seed; returns the count."""
    out.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        sample = make_sample(seed, today=today)
        (out / f"{seed}-front.jpg").write_bytes(sample.front_photo.jpeg)
        (out / f"{seed}-back.jpg").write_bytes(sample.back_photo.jpeg)
        (out / f"{seed}.json").write_text(
            json.dumps(sample.truth(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return len(seeds)
