"""Search theory: coverage, probability of detection (POD), probability of area (POA) with rest of world (ROW),
Bayesian update after unsuccessful effort, Mattson consensus, and Stone's optimal allocation of effort.

Fractions are 0..1, distances in metres, areas in m². Sources: docs/science.md §2 (Koopman; Washburn;
Cooper's definitions; SARBC and Shea/Cooper POA update; Mattson 1976; Stone, Theory of Optimal Search).
"""
from __future__ import annotations

import math
from typing import Hashable, Iterable, Mapping, TypeVar

from .errors import ProbabilityError

ROW = "ROW"
#: A segment's key (its id in the service, a name in worked examples).
K = TypeVar("K", bound=Hashable)
#: How far a set of probabilities may stray from summing to 1 (floating point), or points from 100.
TOLERANCE = 1e-6


def _non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ProbabilityError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _fraction(name: str, value) -> float:
    v = _non_negative(name, value)
    if v > 1:
        raise ProbabilityError(f"{name} must be between 0 and 1, got {value!r}")
    return v


def _coverage(key, value) -> float:
    """A cumulative coverage: a number >= 0, infinite for POD 1."""
    if value == math.inf:
        return value
    return _non_negative(f"coverage[{key!r}]", value)


def coverage(sweep_width_m: float, track_length_m: float, area_m2: float) -> float:
    """Coverage C = W·L/A: effective sweep width (m) times track length inside the area (m) over its area (m²)."""
    w = _non_negative("sweep width", sweep_width_m)
    length = _non_negative("track length", track_length_m)
    a = _non_negative("area", area_m2)
    if a == 0:
        raise ProbabilityError("area must be greater than 0")
    return w * length / a


def pod_from_coverage(c: float) -> float:
    """POD = 1 − e^(−C) for the exponential (random search) detection function; in [0, 1)."""
    return -math.expm1(-_non_negative("coverage", c))


def cumulative_pod(pods: Iterable[float]) -> float:
    """Cumulative POD of independent efforts: 1 − Π(1 − PODᵢ)."""
    miss = 1.0
    for i, p in enumerate(pods):
        miss *= 1.0 - _fraction(f"pod[{i}]", p)
    return 1.0 - miss


def posterior(poa0: Mapping[K, float], row0: float, coverage: Mapping[K, float]) -> tuple[dict[K, float], float]:
    """Current POA of each segment and ROW after unsuccessful effort (no find): Bayes with the rest of the world.

    ``poa0``: each segment's prior POA; ``row0``: the prior ROW (0..1, not a key of ``poa0``); ``coverage``: each
    searched segment's cumulative coverage C (a segment missing from it was not searched). With cumulative POD
    1 − e^(−C): POAᵢ' = POAᵢ(1 − PODᵢ) / (1 − Σ POAⱼ·PODⱼ), ROW' = ROW / (1 − OPOS). The priors are renormalised
    with ROW, so they need not sum to exactly 1. ROW cannot be searched. Returns (POA by segment, ROW).
    """
    row = _fraction("row", row0)
    unknown = [k for k in coverage if k not in poa0]
    if unknown:
        raise ProbabilityError(f"coverage names segments that have no POA: {', '.join(map(str, unknown))}")
    remaining = {k: _fraction(f"poa[{k!r}]", p) * math.exp(-_coverage(k, coverage.get(k, 0.0)))
                 for k, p in poa0.items()}
    total = math.fsum(remaining.values()) + row
    if total <= 0:
        raise ProbabilityError("every place the subject could be was searched with POD 1: the model is exhausted")
    return {k: v / total for k, v in remaining.items()}, row / total


def overall_pos(poa: Mapping[K, float], pod: Mapping[K, float]) -> float:
    """Overall probability of success OPOS = Σ POAᵢ·PODᵢ over the searched segments (ROW is never searched)."""
    unknown = [k for k in pod if k not in poa]
    if unknown:
        raise ProbabilityError(f"pod names segments that have no POA: {', '.join(map(str, unknown))}")
    return math.fsum(_fraction(f"poa[{k!r}]", poa[k]) * _fraction(f"pod[{k!r}]", p) for k, p in pod.items())


def mattson(evaluations: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Consensus POA: each evaluator spreads 100 points over the segments and ROW; the mean, as fractions."""
    evals = list(evaluations)
    if not evals:
        raise ProbabilityError("at least one evaluation is needed")
    keys: list[str] = []
    for i, ev in enumerate(evals):
        if not isinstance(ev, Mapping):
            raise ProbabilityError(f"evaluation {i} must be a mapping of segment to points")
        total = math.fsum(_non_negative(f"evaluation {i} [{k!r}]", v) for k, v in ev.items())
        if abs(total - 100.0) > 100 * TOLERANCE:
            raise ProbabilityError(f"evaluation {i} spreads {total:g} points; each evaluator spreads exactly 100")
        keys += [k for k in ev if k not in keys]
    if ROW not in keys:
        raise ProbabilityError(f"the evaluations must include {ROW!r} (points for the rest of the world)")
    n = len(evals)
    return {k: math.fsum(float(ev.get(k, 0.0)) for ev in evals) / (100.0 * n) for k in keys}


def optimal_allocation(poa: Mapping[str, float], area_m2: Mapping[str, float], effort_m2: float) -> dict[str, float]:
    """Stone's optimal allocation for exponential detection: the coverage zᵢ to give each segment.

    With densities dᵢ = POAᵢ/Aᵢ, zᵢ = max(0, ln(dᵢ/λ)) and λ such that Σ zᵢ·Aᵢ = ``effort_m2`` (total W·L available).
    Every searched segment ends with the same posterior density. ROW, if present in ``poa``, is not searchable and
    ignored; ``poa`` need not sum to 1 here (only ratios matter).
    """
    effort = _non_negative("effort", effort_m2)
    segs = [k for k in poa if k != ROW]
    if not isinstance(area_m2, Mapping) or any(k not in area_m2 for k in segs):
        raise ProbabilityError("area_m2 must give the area of every segment in poa")
    dens = {}
    for k in segs:
        p = _fraction(f"poa[{k!r}]", poa[k])
        a = _non_negative(f"area_m2[{k!r}]", area_m2[k])
        if a == 0:
            raise ProbabilityError(f"segment {k!r} has no area")
        dens[k] = p / a
    result = {k: 0.0 for k in segs}
    ranked = sorted((k for k in segs if dens[k] > 0), key=lambda k: dens[k], reverse=True)
    if effort == 0 or not ranked:
        return result
    sum_a = sum_a_ln = 0.0
    ln_lam = None
    for i, k in enumerate(ranked):
        sum_a += float(area_m2[k])
        sum_a_ln += float(area_m2[k]) * math.log(dens[k])
        ln_lam = (sum_a_ln - effort) / sum_a
        nxt = ranked[i + 1] if i + 1 < len(ranked) else None
        if nxt is None or ln_lam >= math.log(dens[nxt]):
            break
    for k in ranked:
        result[k] = max(0.0, math.log(dens[k]) - ln_lam)
    return result
