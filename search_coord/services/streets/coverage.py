"""Coverage per street block: GPS tracks matched to the blocks they travel (within the mode's sweep width), stored
as passed 10 m bins per (search, block, mode), announced live as ``streets.covered``.

Live path: ``after_batch`` is called inside the track batch's transaction (services/field.py, one line) with the
fixes the batch stored as shown on the maps (``[lon, lat, t, acc, key]``; a key of None is a fix that counts for
nothing, ``core/tracks.py``). Recount: ``recount`` rebuilds a search's coverage from every stored, unretracted
track (``services.tracks.device_lines``), e.g. after a retraction. Batches stored while the layer's network is
being built (after a restart) are counted the same way once it is ready: by the search's next batch, or by
``catch_up`` when the desk's streets panel asks again (``search_view.street_state``)."""
from __future__ import annotations

from datetime import datetime

from shapely.geometry import LineString
from sqlalchemy import delete, select

from ...adapters.models import TrackPoint
from ...adapters.street_models import StreetCoverage
from ...core import tracks as core_tracks
from ...core.streets import coverage as core_cov
from .. import events, tracks
from ..access import load_search
from ..basis import projection, settings_of, user_mode
from ..context import Actor, Services
from ..events import naive_utc
from .layers import (LayerNet, cached_net, cached_net_of, is_pending, layer_key_of_search, layer_net, layer_of_search,
                     note_pending, take_pending)


def batch_lines(net: LayerNet, shown: list, max_acc_m: float, before: dict | None = None) -> list[LineString]:
    """The counted lines (metres, the layer's projection) of a batch's shown fixes: consecutive fixes of one track
    key whose accuracy is within ``max_acc_m`` (2 × W, ``core.tracks``) are joined, each key's line starting from
    ``before[key]`` (lon, lat), the piece's fix stored before the batch, when there is one."""
    runs: dict[str, list] = {k: [v] for k, v in (before or {}).items()}
    for lon, lat, _t, acc, key in shown:
        if key is None or (acc is not None and acc > max_acc_m):
            continue
        runs.setdefault(key, []).append((lon, lat))
    out = []
    for pts in runs.values():
        if len(pts) < 2:
            continue
        xs, ys = net.proj.to_xy([p[0] for p in pts], [p[1] for p in pts])
        out.append(LineString(list(zip(xs, ys))))
    return out


def _keep(mode: str):
    """Which blocks a track of ``mode`` can search: a vehicle drives drivable ones, everyone else walks."""
    return (lambda b: b.drive) if mode == "vehicle" else (lambda b: b.walk)


def store(session, search_id: int, net: LayerNet, mode: str, passed: dict[int, set[int]], now) -> list[list]:
    """Add passed bins to the stored coverage; returns ``[[block, share, status, pod], ...]`` of the blocks changed."""
    if not passed:
        return []
    rows = {r.block: r for r in session.execute(select(StreetCoverage).where(
        StreetCoverage.search_id == search_id, StreetCoverage.layer_id == net.layer_id, StreetCoverage.mode == mode,
        StreetCoverage.block.in_(list(passed)))).scalars()}
    out = []
    for block, bins in sorted(passed.items()):
        n = core_cov.bin_count(net.blocks[block].length)
        row = rows.get(block)
        bits = core_cov.merge_bins(row.bins if row else None, n, bins)
        if row is None:
            session.add(StreetCoverage(search_id=search_id, layer_id=net.layer_id, block=block, mode=mode, bins=bits,
                                       updated_at=naive_utc(now)))
        elif row.bins != bits:
            row.bins, row.updated_at = bits, naive_utc(now)
        else:
            continue
        share = core_cov.share(bits)
        out.append([block, round(share, 3), core_cov.status(share), round(core_cov.pod(share, mode), 3)])
    return out


def after_batch(session, search, actor: Actor, shown: list, now) -> None:
    """Match a stored batch's fixes to the blocks of the search's street layer and record ``streets.covered``
    (nothing when no layer covers the search or nothing new was passed). Inside the batch's transaction."""
    if not shown:
        return
    key = layer_key_of_search(session, search)   # (id, sha256), read once per transaction
    if key is None:
        return
    net = cached_net_of(session, key)   # never wait for a build here: this is the live track path
    if net is None:   # being built (after a restart): the batch is stored; counted once the network is ready
        note_pending(key[0], search.id)
        return
    if take_pending(key[0], search.id):
        # batches stored while the network was built: count every stored track again (this batch is among them,
        # it is in this transaction)
        try:
            rebuild(session, search, net, actor, now)
        except BaseException:
            note_pending(key[0], search.id)
            raise
        return
    mode = user_mode(session, search.id, actor.user_id)
    width = settings_of(search)["sweep_width_m"][mode]
    rules = core_tracks.TrackRules(sweep_width_m=width)
    lines = batch_lines(net, shown, rules.max_accuracy_m, _fixes_before(session, search.id, actor.user_id, shown))
    changed = store(session, search.id, net, mode, net.index.match(lines, width, _keep(mode)), now)
    if changed:
        events.record(session, search.id, "streets.covered", actor,
                      {"layer_id": net.layer_id, "mode": mode, "user_id": actor.user_id, "blocks": changed}, now)


def _fixes_before(session, search_id: int, user_id: int, shown: list) -> dict:
    """{track key: (lon, lat)} of the last fix of each of the batch's pieces stored before the batch's first fix of
    it (a phone may send one fix a batch: the line runs from the one before)."""
    first: dict[str, str] = {}
    for _lon, _lat, t, _acc, key in shown:
        if key is not None and key not in first:
            first[key] = t
    out = {}
    for key, t in first.items():
        device, _, piece = key.rpartition(":")
        row = session.execute(select(TrackPoint.lon, TrackPoint.lat).where(
            TrackPoint.search_id == search_id, TrackPoint.user_id == user_id, TrackPoint.device == device,
            TrackPoint.piece == int(piece), TrackPoint.retracted_at.is_(None),
            TrackPoint.t < naive_utc(datetime.fromisoformat(t.replace("Z", "+00:00"))))
            .order_by(TrackPoint.t.desc()).limit(1)).first()
        if row is not None:
            out[key] = (row.lon, row.lat)
    return out


def recount(svc: Services, actor: Actor, search_id: int) -> dict:
    """Rebuild the search's street coverage from every stored track (retracted fixes left out). Dispatchers only.
    Returns ``{"layer_id", "blocks": n with coverage}``; records ``streets.covered`` with every block's status."""
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        layer = layer_of_search(s, search)
        if layer is None:
            return {"layer_id": None, "blocks": 0}
        net = layer_net(s, layer)
        take_pending(layer.id, search_id)
        total = rebuild(s, search, net, actor, now)
    return {"layer_id": net.layer_id, "blocks": total}


def catch_up(svc: Services, actor: Actor, search_id: int) -> bool:
    """Count the track batches of ``search_id`` stored while its layer's network was being built (after a
    restart), once the network is ready: its coverage is rebuilt from every stored track (``rebuild``). False when
    nothing was waiting or the network is still being built (it stays waiting). Any member of the search."""
    if not is_pending(search_id):
        return False
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        layer = layer_of_search(s, search)
        net = cached_net(s, layer) if layer is not None else None
        if net is None or not take_pending(layer.id, search_id):
            return False
        try:
            rebuild(s, search, net, actor, now)
        except BaseException:
            note_pending(layer.id, search_id)
            raise
    return True


def rebuild(s, search, net: LayerNet, actor: Actor, now) -> int:
    """Inside a transaction: the search's coverage on ``net`` counted again from every stored, unretracted track;
    records ``streets.covered`` (``recount``: true) per mode. Returns the number of blocks with coverage."""
    settings = settings_of(search)
    proj = projection(search)
    lines, _ = tracks.device_lines(s, search, proj, settings)
    s.execute(delete(StreetCoverage).where(StreetCoverage.search_id == search.id,
                                           StreetCoverage.layer_id == net.layer_id))
    s.flush()
    by_mode: dict[str, dict[int, set[int]]] = {}
    modes: dict[int, str] = {}
    for (uid, _device), (track_lines, width) in lines.items():
        mode = modes.setdefault(uid, user_mode(s, search.id, uid))
        moved = [net.proj.project(proj.unproject(ln)) for ln in track_lines]
        for block, bins in net.index.match(moved, width, _keep(mode)).items():
            by_mode.setdefault(mode, {}).setdefault(block, set()).update(bins)
    total = 0
    for mode, passed in by_mode.items():
        changed = store(s, search.id, net, mode, passed, now)
        total += len(changed)
        events.record(s, search.id, "streets.covered", actor,
                      {"layer_id": net.layer_id, "mode": mode, "user_id": None, "blocks": changed,
                       "recount": True}, now)
    return total


def coverage_of(session, search_id: int, layer_id: int) -> dict[int, dict[str, float]]:
    """{block: {mode: share passed}} of a search on a layer."""
    out: dict[int, dict[str, float]] = {}
    for block, mode, bits in session.execute(select(StreetCoverage.block, StreetCoverage.mode, StreetCoverage.bins)
                                             .where(StreetCoverage.search_id == search_id,
                                                    StreetCoverage.layer_id == layer_id)):
        out.setdefault(block, {})[mode] = core_cov.share(bits)
    return out
