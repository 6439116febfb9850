"""Account rules without a framework: the password policy and user-name normalisation (look-alike detection).

Password policy (applied when an account is created, when an administrator sets a password and when a user changes
their own): at least ``MIN_PASSWORD_LENGTH`` (10) characters and at most ``MAX_PASSWORD_LENGTH`` (200), counted as
sent (nothing is stripped or trimmed: a space is a character); at least ``MIN_DISTINCT_CHARS`` (5) different
characters; not one of the common passwords shipped in ``common_passwords.txt`` (compared case-insensitively, also
after taking digits and punctuation off both ends, so "Password2026!" is refused as "password"); not containing the
user name (case-insensitively, NFKC). The list is written from public knowledge of the most used passwords (breach
top lists, keyboard walks, Chinese pinyin favourites); it is a floor, not a strength meter.

User names: stored NFKC-normalised (fullwidth "ｄｉｓｐ" becomes "disp"), compared NFKC + case-folded ("DISP" is
"disp"), and refused when their *skeleton* equals an existing name's: every character that Unicode lists as
confusable with a Latin or common character (Cyrillic "ԁ", Greek "ο", ...) is replaced by that character before
comparing, using the Unicode confusables table as shipped by the ``confusable_homoglyphs`` package. A name mixing
scripts in a confusable way (Latin with a Cyrillic look-alike) is refused on its own.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from confusable_homoglyphs import confusables

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
MIN_DISTINCT_CHARS = 5
_EDGE_CHARS = "0123456789!@#$%^&*()-_=+[]{};:'\",.<>/?\\|`~ "


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, case-folded (read once)."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password, username: str | None = None) -> str | None:
    """Why ``password`` is refused for the account ``username`` (an English sentence), or None when it passes.

    ``password`` is checked exactly as given: the caller must not strip it."""
    if not isinstance(password, str) or not _encodable(password):
        return "must be text"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    if len(set(password)) < MIN_DISTINCT_CHARS:
        return f"must hold at least {MIN_DISTINCT_CHARS} different characters"
    folded = unicodedata.normalize("NFKC", password).casefold()
    common = common_passwords()
    if folded in common or folded.strip(_EDGE_CHARS) in common:
        return "is one of the most common passwords; choose another"
    if username:
        name = username_key(username)
        if len(name) >= 3 and name in folded:
            return "must not contain the user name"
    return None


def _encodable(text: str) -> bool:
    """False for text no UTF-8 can hold (a lone surrogate sent as a JSON escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_text(value) -> bool:
    """A string that UTF-8 can hold, as a password or a user name must be."""
    return isinstance(value, str) and _encodable(value)


def normalize_username(name: str) -> str:
    """The form a user name is stored in: NFKC-normalised, surrounding white space removed."""
    return unicodedata.normalize("NFKC", name).strip()


def username_key(name: str) -> str:
    """The form user names are compared in: NFKC, case-folded (NFKC again, as case folding may denormalise)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).strip().casefold())


@lru_cache(maxsize=4096)
def _latin_for(char: str) -> str:
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin", "common"])
    if not found:
        return char
    for glyph in found[0]["homoglyphs"]:
        if glyph["c"].isascii():
            return glyph["c"].casefold()
    return char


def username_skeleton(name: str) -> str:
    """The key with every character confusable with an ASCII one replaced by it ("ԁisp" -> "disp")."""
    return "".join(_latin_for(c) if not c.isascii() else c for c in username_key(name))


def username_is_deceptive(name: str) -> bool:
    """True for a name that mixes scripts with look-alike characters (Latin letters next to a Cyrillic "ԁ")."""
    return bool(confusables.is_dangerous(username_key(name)))


def lookalike_of(name: str, existing: list[str]) -> str | None:
    """The first of ``existing`` names that ``name`` equals or looks like (same skeleton), else None."""
    skeleton = username_skeleton(name)
    for other in existing:
        if username_skeleton(other) == skeleton:
            return other
    return None
