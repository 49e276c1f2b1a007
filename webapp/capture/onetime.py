"""One-time codes as people handle them: printed on a slip, scanned, or read and typed by hand.

Shared by the citizen survey's QR slips and the staff survey's codes.  Only a hash of a code is
ever stored, so a database leak does not hand out valid codes.
"""

from __future__ import annotations

import hashlib
import secrets

#: Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8            # 40 bits: guessing one of an office's open codes is hopeless at 10/min
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def normalize(code: str) -> str:
    """What a person typed (``7kq4-m2xd``, ``7KQ4 M2XD``, an O for a 0) as the stored code."""
    return code.strip().upper().translate(_READ_AS)


def shown(code: str) -> str:
    """A short code as printed on a slip: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def generate(count: int) -> list[str]:
    """``count`` fresh random codes."""
    return ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(count)]


def candidates(code: str | None) -> list[str]:
    """The hashes to look for: the code as given (older slips carry mixed-case codes), then as
    a person typed it; none for nothing or for something far too long to be a code."""
    if not code or len(code) > 64:
        return []
    return [digest(c) for c in dict.fromkeys((code, normalize(code)))]
