"""core.fields.check_json: a body is refused exactly when some value breaks a rule (too deep, a whole number beyond
2^53, a non-finite number, a lone surrogate in a text or key), and the refusal names the first such value's path;
the quick walk that lets good bodies through never lets a bad one through."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_coord.core.errors import ValidationError
from search_coord.core.fields import MAX_JSON_DEPTH, MAX_SAFE_INT, check_json

BAD = st.sampled_from([float("nan"), float("inf"), -float("inf"), MAX_SAFE_INT + 1, -(MAX_SAFE_INT + 5), "a\ud800b"])
GOOD = st.one_of(st.none(), st.booleans(), st.integers(-MAX_SAFE_INT, MAX_SAFE_INT),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
KEYS = st.one_of(st.text(max_size=6), st.just("k\udc00"))


def values(leaves):
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)


def broken(value, depth=0) -> bool:
    """The rules, written plainly (recursively) as the reference."""
    if depth > MAX_JSON_DEPTH:
        return True
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return abs(value) > MAX_SAFE_INT
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(broken(k, depth) or broken(v, depth + 1) for k, v in value.items())
    return any(broken(v, depth + 1) for v in value)


@settings(max_examples=300, deadline=None)
@given(values(st.one_of(GOOD, GOOD, GOOD, BAD)))
def test_refused_exactly_when_a_value_breaks_a_rule(value):
    body = {"data": value}
    if broken(body):
        with pytest.raises(ValidationError):
            check_json(body)
    else:
        check_json(body)


def nest(levels):
    value = 1
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("body, path", [
    ({"points": [{"lon": 1.0}, {"lon": float("nan")}]}, "points[1].lon"),
    ({"a": {"b": [MAX_SAFE_INT + 1]}}, "a.b[0]"),
    ({"note": "x\ud800"}, "note"),
    ({"deep": nest(MAX_JSON_DEPTH + 2)}, "deep" + "[0]" * (MAX_JSON_DEPTH - 1)),
])
def test_the_refusal_names_the_value(body, path):
    with pytest.raises(ValidationError) as caught:
        check_json(body)
    assert path in caught.value.args[0] or path in str(caught.value)
