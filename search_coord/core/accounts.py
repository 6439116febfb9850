"""Account rules without a framework: the password policy and user-name normalisation (look-alike detection).

Password policy (applied when an account is created, when an administrator sets a password and when a user changes
their own): at least ``MIN_PASSWORD_LENGTH`` (10) characters and at most ``MAX_PASSWORD_LENGTH`` (200), counted as
sent (nothing is stripped or trimmed: a space is a character); at least ``MIN_DISTINCT_CHARS`` (5) different
characters; not one of the common passwords shipped in ``common_passwords.txt`` (compared case-insensitively, also
after taking digits and punctuation off both ends, so "Password2026!" is refused as "password"); not containing the
user name (case-insensitively, NFKC). The list is written from public knowledge of the most used passwords (breach
top lists, keyboard walks, Chinese pinyin favourites); it is a floor, not a strength meter.

User names: stored NFKC-normalised (fullwidth "ｄｉｓｐ" becomes "disp"), compared NFKC + case-folded ("DISP" is
"disp"), and refused when their *skeleton* equals an existing name's. The skeleton follows Unicode TR39 (UTS #39):
NFD, then every character replaced by the prototype of its confusable set in the Unicode confusables table (as shipped
by the ``confusable_homoglyphs`` package, whose pairs are grouped back into those sets), then NFD again; stricter
than TR39, combining marks and invisible format characters are then dropped and the result case-folded, repeated
until nothing changes. So single-script look-alikes collide as well as mixed-script ones: "dıspatch" (dotless i),
"dispɑtch" (Latin alpha), "dispatcħ" (h with stroke), "dïspatch", "ԁіѕр" all look like "dispatch" / "disp".
Both the name as typed and its case-folded key are skeletonised ("Ian" looks like "lan", and is "ian").
A name mixing scripts in a confusable way (Latin with a Cyrillic look-alike) is refused on its own.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from confusable_homoglyphs import confusables

from .fields import utf8_encodable

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
    if not isinstance(password, str) or not utf8_encodable(password):
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


def is_text(value) -> bool:
    """A string that UTF-8 can hold, as a password or a user name must be."""
    return isinstance(value, str) and utf8_encodable(value)


def normalize_username(name: str) -> str:
    """The form a user name is stored in: NFKC-normalised, surrounding white space removed."""
    return unicodedata.normalize("NFKC", name).strip()


def username_key(name: str) -> str:
    """The form user names are compared in: NFKC, case-folded (NFKC again, as case folding may denormalise)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).strip().casefold())


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """``{character: prototype}`` for every character of the confusables table.

    ``confusable_homoglyphs`` keeps each line "source -> prototype" of Unicode's confusables.txt in both directions;
    the sets are rebuilt by union-find and each is given its prototype: the one multi-character member (sources are
    single code points), else the member most others map to, preferring ASCII, then the lowest code point."""
    parent: dict[str, str] = {}
    degree: dict[str, int] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, glyphs in confusables.confusables_data.items():
        a = key.replace("\u200e", "")
        for glyph in glyphs:
            b = glyph["c"].replace("\u200e", "")
            degree[a] = degree.get(a, 0) + 1
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    members: dict[str, list[str]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    table: dict[str, str] = {}
    for group in members.values():
        proto = min(group, key=lambda m: (len(m) == 1, -degree.get(m, 0), not m.isascii(), m))
        table.update({m: proto for m in group if len(m) == 1 and m != proto})
    return table


def _skeleton_of(text: str) -> str:
    table = _prototypes()
    for _ in range(4):
        mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
        plain = "".join(c for c in unicodedata.normalize("NFD", mapped)
                        if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
        folded = unicodedata.normalize("NFD", plain.casefold())
        if folded == text:
            break
        text = folded
    return text


@lru_cache(maxsize=4096)
def username_skeletons(name: str) -> frozenset[str]:
    """The skeletons of the name as stored and of its case-folded key ("dıspatch" -> {"dispatch"})."""
    return frozenset({_skeleton_of(normalize_username(name)), _skeleton_of(username_key(name))})


def username_is_deceptive(name: str) -> bool:
    """True for a name that mixes scripts with look-alike characters (Latin letters next to a Cyrillic "ԁ")."""
    return bool(confusables.is_dangerous(username_key(name)))


def lookalike_of(name: str, existing: list[str]) -> str | None:
    """The first of ``existing`` names that ``name`` equals or looks like (same skeleton), else None."""
    skeletons = username_skeletons(name)
    for other in existing:
        if username_key(other) == username_key(name) or skeletons & username_skeletons(other):
            return other
    return None
