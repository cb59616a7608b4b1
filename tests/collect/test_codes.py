"""Invitation codes: every single mistyped character and neighbour swap is caught."""

from __future__ import annotations

import random

from pipeline.collect import codes


def _slips(code: str):
    for i, old in enumerate(code):
        for new in codes.ALPHABET:
            if new != old:
                yield code[:i] + new + code[i + 1 :]
        if i + 1 < len(code) and code[i] != code[i + 1]:
            yield code[:i] + code[i + 1] + code[i] + code[i + 2 :]


def test_fresh_codes_are_valid_and_distinct() -> None:
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert all(codes.is_valid(c) and len(c) == codes.CODE_LENGTH for c in made)
    assert not set("ILOUZ") & set("".join(made))


def test_every_single_slip_and_neighbour_swap_is_caught() -> None:
    rng = random.Random(7)
    for _ in range(200):
        values = [rng.randrange(len(codes.ALPHABET)) for _ in range(codes.RANDOM_LENGTH)]
        stem = "".join(codes.ALPHABET[v] for v in values)
        code = next(stem + c for c in codes.ALPHABET if codes.is_valid(stem + c))
        assert not [slip for slip in _slips(code) if codes.is_valid(slip)]


def test_people_may_type_codes_loosely() -> None:
    code = codes.new_code()
    shown = codes.display(code)
    assert shown[5] == "-" and codes.normalise(shown) == code
    assert codes.is_valid(f"  {shown.lower()} ")
    sloppy = code.replace("0", "o").replace("1", "l")
    assert codes.normalise(sloppy) == code


def test_problems_are_said_in_words() -> None:
    assert codes.problem("") == "Enter the code from your letter."
    assert "3 characters" in codes.problem("AB2")
    assert "not used in codes: #" in codes.problem("AB#CDEFGH2")
    code = codes.new_code()
    slip = code[:-1] + next(c for c in codes.ALPHABET if c != code[-1])
    assert "mistyped" in codes.problem(slip)
