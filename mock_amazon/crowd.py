"""Fake customers drawn from a fixed crowd: calling Faker for every order is slow (a few percent of a month's
simulation), and real shops see repeat customers anyway."""
from __future__ import annotations

import random
from typing import Callable

from faker import Faker


def seeded_faker(locale: str, seed: int | str) -> Faker:
    """A Faker for made-up people, the same ones for the same seed. Unweighted: Faker's weighting (common names
    drawn more often than rare ones) makes a name four times slower to draw, and a test marketplace gains nothing
    from it."""
    fake = Faker(locale, use_weighting=False)
    fake.seed_instance(seed)
    return fake


class Crowd:
    """`size` people made by `make(fake)` on first need, in the same order for the same Faker seed."""

    def __init__(self, fake: Faker, make: Callable[[Faker], dict], size: int = 500):
        self.fake, self.make, self.size = fake, make, size
        self.people: list[dict] | None = None

    def pick(self, rng: random.Random) -> dict:
        """One of the crowd, as a copy the caller may keep and change."""
        if self.people is None:
            self.people = [self.make(self.fake) for _ in range(self.size)]
        return dict(rng.choice(self.people))
