"""Invitation codes: short, unguessable, easy to read aloud and to type from a letter.

A code is 10 characters from Crockford's base-32 alphabet less the symbols people confuse (no
I, L, O or U, and no Z, which reads as 2; ``O`` is read as ``0`` and ``I``/``L`` as ``1`` when
typed), so 31 symbols, shown in two groups of five (``K7Q2M-9XH4R``). Nine characters are random
(31^9, about 2.6 × 10^13 codes: guessing one of a sample of 10,000 takes on average 1.3 × 10^9
tries against a rate-limited site) and the tenth is a check character: the position-weighted sum
of the others modulo 31. Because 31 is prime and larger than any difference of two symbols or
two weights, every single mistyped character and every swap of two neighbouring characters
changes it, so a typing slip is told apart from a wrong code before the database is asked.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"  # Crockford base 32 less Z: 31 symbols
RANDOM_LENGTH = 9
CODE_LENGTH = RANDOM_LENGTH + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
# What people type for the symbols left out of the alphabet.
_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}
_CHECK_MODULUS = len(ALPHABET)  # 31, a prime: every check value is a symbol


def _check_value(values: list[int]) -> int:
    """Weighted sum with weights 1..n modulo the prime 31: a change of one symbol by d (0 < |d| <
    31) at weight w (1..10) or a swap of neighbours a, b (changing the sum by a - b) is never a
    multiple of 31."""
    return sum((position + 1) * value for position, value in enumerate(values)) % _CHECK_MODULUS


def new_code(rng: secrets.SystemRandom | None = None) -> str:
    """A fresh invitation code (normalised form, no separator).

    ``rng`` defaults to the operating system's random source; codes must not be derivable from
    the sample's recorded seed, which is stored for reproducing *who* was drawn.
    """
    chooser = rng or secrets.SystemRandom()
    values = [chooser.randrange(len(ALPHABET)) for _ in range(RANDOM_LENGTH)]
    values.append(_check_value(values))
    return "".join(ALPHABET[v] for v in values)


def normalise(typed: str) -> str:
    """The code as stored, from what a person typed: case, spaces, dashes and the confusable
    letters O, I, L (and U) forgiven. Characters outside the alphabet are kept so that
    :func:`problem` can name them."""
    cleaned = "".join(ch for ch in typed.upper() if not ch.isspace() and ch not in "-_.")
    return "".join(_READ_AS.get(ch, ch) for ch in cleaned)


def problem(typed: str) -> str | None:
    """Why ``typed`` cannot be an invitation code, in words for the person typing it; None when
    it is well formed (which does not mean it was issued: look it up)."""
    code = normalise(typed)
    if not code:
        return "Enter the code from your letter."
    strange = sorted({ch for ch in code if ch not in _VALUE})
    if strange:
        return "The code has characters that are not used in codes: " + " ".join(strange) + "."
    if len(code) != CODE_LENGTH:
        return (
            f"The code has {len(code)} characters; codes have {CODE_LENGTH} "
            "(two groups of five). Check it against your letter."
        )
    values = [_VALUE[ch] for ch in code]
    if _check_value(values[:-1]) != values[-1]:
        return "The code does not look right: a character may have been mistyped. Check it against your letter."
    return None


def is_valid(typed: str) -> bool:
    """True when ``typed`` is a well-formed code (checksum included)."""
    return problem(typed) is None


def display(code: str) -> str:
    """The code as printed on letters: two groups of five joined by a dash."""
    code = normalise(code)
    return f"{code[:5]}-{code[5:]}"
