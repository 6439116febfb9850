"""Street layers: load a region's network once (OSM extract or GeoJSON centrelines), list them, replace one, find
the layer that covers a search; and the per-process cache of a layer's network in metres (graph, blocks, index)."""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import replace as replace_field

import numpy as np
import shapely
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ...adapters.models import User
from ...adapters.street_models import StreetAddress, StreetLayer, StreetWay
from ...core.errors import Conflict, GeometryError, NotFound, ValidationError
from ...core.geometry import LocalProjection, check_lonlat
from ...core.streets import blocks as core_blocks
from ...core.streets.coverage import BlockIndex
from ...core.streets.network import Network, Way, build_network
from ...core.streets.reach import WalkGraph
from ..access import require_dispatcher
from ..context import Actor, Services
from ..events import iso, naive_utc
from . import reader


@dataclass(frozen=True)
class LayerNet:
    """A layer's network in metres (its own projection, centred on its box), built once per process."""

    layer_id: int
    proj: LocalProjection
    network: Network
    blocks: tuple
    graph: WalkGraph
    index: BlockIndex
    block_lonlat: "BlockLonLat"   # per block: [[lon, lat], ...]
    edge_block: dict        # Edge.index -> block index


class BlockLonLat:
    """Each block's points as [[lon, lat], ...] (rounded to 1e-7°), made on demand from one array: a layer of
    50,000 blocks shows a few hundred at a time."""

    def __init__(self, lonlat: np.ndarray, sizes: np.ndarray):
        self._lonlat = lonlat
        self._start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def __len__(self) -> int:
        return len(self._start) - 1

    def __getitem__(self, index: int) -> list:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        return self._lonlat[self._start[index]:self._start[index + 1]].tolist()


def build(layer_id: int, center: tuple[float, float], ways: list[dict]) -> LayerNet:
    """The network of way rows (``reader``'s shape) projected around ``center`` (lon, lat)."""
    proj = LocalProjection(center[1], center[0])
    flat = np.array([c for w in ways for c in w["coords"]], dtype=float).reshape(-1, 2)
    xs, ys = proj.to_xy(flat[:, 0], flat[:, 1]) if len(flat) else ([], [])
    points = list(zip(np.asarray(xs, dtype=float).tolist(), np.asarray(ys, dtype=float).tolist()))
    values, at = [], 0
    for w in ways:
        n = len(w["coords"])
        values.append(Way(w["way_id"], tuple(w["nodes"]), tuple(points[at:at + n]), w["highway"],
                          bool(w["walk"]), bool(w["drive"]), w.get("name"), w.get("name_zh"), w.get("name_en")))
        at += n
    net = build_network(values)
    blocks = tuple(core_blocks.split_blocks(net))
    index = BlockIndex(blocks)
    sizes = np.array([len(b.xy) for b in blocks], dtype=np.int64)
    if blocks:
        xy = shapely.get_coordinates(index.lines)
        lon, lat = proj.to_lonlat(xy[:, 0], xy[:, 1])
        lonlat = np.round(np.column_stack([lon, lat]), 7)
    else:
        lonlat = np.zeros((0, 2))
    edge_block = {e: b.index for b in blocks for e in b.edges}
    return LayerNet(layer_id, proj, net, blocks, WalkGraph(net), index, BlockLonLat(lonlat, sizes), edge_block)


_CACHE: "OrderedDict[tuple, LayerNet]" = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 4
LOG = logging.getLogger(__name__)


def _key(session, layer: StreetLayer) -> tuple:
    """A layer's cache key: its id and its file's hash (a layer is never changed once stored, so the same id and
    file are the same network, whichever engine or session of the process reads it)."""
    return (layer.id, layer.sha256)


def layer_net(session, layer: StreetLayer) -> LayerNet:
    """The layer's network (cached per process: layers never change once stored)."""
    key = _key(session, layer)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    net = build(layer.id, _center(layer), _way_rows(session, layer.id))
    _remember(key, net)
    return net


def _way_rows(session, layer_id: int) -> list[dict]:
    """The layer's ways in ``reader``'s shape, in the order stored."""
    cols = (StreetWay.way_id, StreetWay.nodes, StreetWay.coords, StreetWay.highway, StreetWay.walk, StreetWay.drive,
            StreetWay.name, StreetWay.name_zh, StreetWay.name_en)
    names = [c.key for c in cols]
    rows = session.execute(select(*cols).where(StreetWay.layer_id == layer_id).order_by(StreetWay.id)).all()
    return [dict(zip(names, r)) for r in rows]


def cached_net(session, layer: StreetLayer) -> LayerNet | None:
    """The layer's network if this process has it built, else None (and its build is started in the background):
    for paths that must not wait (the track batch, the model's reach)."""
    return cached_net_of(session, _key(session, layer))


def cached_net_of(session, key: tuple) -> LayerNet | None:
    """``cached_net`` by the layer's key (``(id, sha256)``, as ``layer_key_of_search`` gives it)."""
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        if key in _BUILDING:
            return None
        _BUILDING.add(key)
    engine = session.get_bind()
    engine = getattr(engine, "engine", engine)
    threading.Thread(target=_build_in_background, args=(engine, key, key[0]), daemon=True,
                     name=f"street-layer-{key[0]}").start()
    return None


_BUILDING: set = set()


def _build_in_background(engine, key, layer_id: int) -> None:
    try:
        with Session(engine) as s:   # read, then end the transaction: a reader held open would block SQLite writers
            layer = s.get(StreetLayer, layer_id)
            if layer is None:
                return
            center, rows = _center(layer), _way_rows(s, layer_id)
        _remember(key, build(layer_id, center, rows))
    except Exception:   # a background build that fails is tried again on the next request  # noqa: BLE001
        LOG.exception("building street layer %s failed", layer_id)
    finally:
        with _LOCK:
            _BUILDING.discard(key)


#: {layer id: {search ids}}: searches whose track batches arrived while the layer's network was being built (they
#: were stored, not matched); their coverage is rebuilt once the network is ready (``services/streets/coverage``).
_PENDING: dict[int, set[int]] = {}


def note_pending(layer_id: int, search_id: int) -> None:
    """Remember that a batch of ``search_id`` was stored unmatched while layer ``layer_id`` was being built."""
    with _LOCK:
        _PENDING.setdefault(layer_id, set()).add(search_id)


def take_pending(layer_id: int, search_id: int) -> bool:
    """True (once) when ``search_id`` has batches stored unmatched on layer ``layer_id``; the mark is taken."""
    with _LOCK:
        waiting = _PENDING.get(layer_id)
        if not waiting or search_id not in waiting:
            return False
        waiting.discard(search_id)
        return True


def is_pending(search_id: int) -> bool:
    """True when ``search_id`` has batches stored unmatched on any layer (a cheap in-memory check)."""
    with _LOCK:
        return any(search_id in waiting for waiting in _PENDING.values())


def forget_networks() -> None:
    """Drop every built network of this process (benchmarks measure a cold start with it)."""
    with _LOCK:
        _CACHE.clear()


def _remember(key, net: LayerNet) -> None:
    with _LOCK:
        _CACHE[key] = net
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def _center(layer: StreetLayer) -> tuple[float, float]:
    return ((layer.min_lon + layer.max_lon) / 2, (layer.min_lat + layer.max_lat) / 2)


def layer_view(layer: StreetLayer) -> dict:
    return {"id": layer.id, "name": layer.name, "source": layer.source, "filename": layer.filename,
            "bbox": [layer.min_lon, layer.min_lat, layer.max_lon, layer.max_lat], "counts": layer.counts,
            "load_seconds": layer.load_seconds, "active": layer.active, "replaced_by": layer.replaced_by,
            "created_at": iso(layer.created_at)}


def parse(data: bytes, filename: str | None = None) -> tuple[str, list[dict], list[dict]]:
    """(source kind, ways, addresses) of an uploaded file (``reader.sniff`` decides the format)."""
    fmt = reader.sniff(data, filename)
    if fmt == "geojson":
        return "geojson", reader.read_geojson(data), []
    ways, addresses = reader.read_osm(data, fmt)
    return "osm", ways, addresses


def load_layer(svc: Services, actor: Actor, data: bytes, *, name: str | None = None, filename: str | None = None,
               replace: int | None = None, parsed: tuple | None = None) -> dict:
    """Store a street layer from an uploaded file (or from ``parsed`` = ``parse()``'s result). ``replace``: the
    id of the active layer this one replaces (it stays stored, inactive, for the assignments that name it).

    Returns the layer's view with ``seconds`` {parse, build, store, total}. A file already loaded (same sha256,
    active) is answered with that layer and ``duplicate``: true. Raises ValidationError (no streets, bad file,
    bad name), NotFound (``replace``), Conflict (``replace`` names a layer already replaced)."""
    require_dispatcher(actor)
    t0 = time.perf_counter()
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError({"file": "send the street file (an OSM extract or a GeoJSON of centrelines)"})
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 120):
        raise ValidationError({"name": "up to 120 characters"})
    sha = hashlib.sha256(data).hexdigest()
    with svc.reading() as s:
        same = s.execute(select(StreetLayer).where(StreetLayer.sha256 == sha, StreetLayer.active.is_(True))).scalar()
        if same is not None:
            return {**layer_view(same), "duplicate": True}
    source, ways, addresses = parsed or parse(bytes(data), filename)
    t_parse = time.perf_counter()
    if not ways:
        raise ValidationError({"file": "no streets or paths in the file (ways tagged highway=...)"})
    coords = np.array([c for w in ways for c in w["coords"]], dtype=float)
    box = (float(coords[:, 0].min()), float(coords[:, 1].min()), float(coords[:, 0].max()), float(coords[:, 1].max()))
    net = build(0, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), ways)
    t_build = time.perf_counter()
    named = sum(1 for b in net.blocks if b.street.local)
    counts = {"ways": len(ways), "walkable": sum(1 for w in ways if w["walk"]),
              "drivable": sum(1 for w in ways if w["drive"]), "blocks": len(net.blocks), "named_blocks": named,
              "with_zh": sum(1 for w in ways if w.get("name_zh")), "with_en": sum(1 for w in ways if w.get("name_en")),
              "walk_km": round(sum(b.length for b in net.blocks if b.walk) / 1000, 2),
              "drive_km": round(sum(b.length for b in net.blocks if b.drive) / 1000, 2), "addresses": len(addresses)}
    now = svc.now()
    with svc.transaction() as s:
        old = None
        if replace is not None:
            old = s.get(StreetLayer, replace)
            if old is None:
                raise NotFound(f"street layer {replace} not found")
            if not old.active:
                raise Conflict(f"street layer {replace} was already replaced")
        layer = StreetLayer(name=(name or filename or "streets").strip()[:120], source=source,
                            filename=(filename or None) and filename[:200], sha256=sha, min_lon=box[0],
                            min_lat=box[1], max_lon=box[2], max_lat=box[3], counts=counts, load_seconds=0.0,
                            active=True, created_by=actor.user_id, created_at=naive_utc(now))
        s.add(layer)
        s.flush()
        # Core executemany (no ORM objects, no per-row round trip)
        s.execute(StreetWay.__table__.insert(), [{"layer_id": layer.id, **w} for w in ways])
        if addresses:
            s.execute(StreetAddress.__table__.insert(), [{"layer_id": layer.id, **a} for a in addresses])
        if old is not None:
            old.active, old.replaced_by = False, layer.id
        total = time.perf_counter() - t0
        layer.load_seconds = round(total, 3)
        s.flush()
        view = layer_view(layer)
        key = _key(s, layer)
    _remember(key, replace_field(net, layer_id=view["id"]))
    t_end = time.perf_counter()
    return {**view, "duplicate": False, "seconds": {"parse": round(t_parse - t0, 3), "build": round(t_build - t_parse, 3),
                                                    "store": round(t_end - t_build, 3), "total": round(t_end - t0, 3)}}


def list_layers(svc: Services, actor: Actor, include_replaced: bool = False) -> list[dict]:
    """Every active layer (newest first), or every layer with ``include_replaced``. Dispatchers only."""
    require_dispatcher(actor)
    with svc.reading() as s:
        q = select(StreetLayer).order_by(StreetLayer.id.desc())
        if not include_replaced:
            q = q.where(StreetLayer.active.is_(True))
        return [layer_view(x) for x in s.execute(q).scalars()]


def layer_at(session, lon: float, lat: float) -> StreetLayer | None:
    """The newest active layer whose box holds the point, or None."""
    return session.execute(select(StreetLayer).where(
        StreetLayer.active.is_(True), StreetLayer.min_lon <= lon, StreetLayer.max_lon >= lon,
        StreetLayer.min_lat <= lat, StreetLayer.max_lat >= lat).order_by(StreetLayer.id.desc()).limit(1)).scalar()


def layer_of_search(session, search) -> StreetLayer | None:
    """The layer covering the search's last known point, or None (the disc is used then)."""
    lon, lat = search.lkp["coordinates"][:2]
    return layer_at(session, lon, lat)


_SL = StreetLayer.__table__
_KEY_AT = (select(_SL.c.id, _SL.c.sha256)
           .where(_SL.c.active.is_(True), _SL.c.min_lon <= bindparam("lon"), _SL.c.max_lon >= bindparam("lon"),
                  _SL.c.min_lat <= bindparam("lat"), _SL.c.max_lat >= bindparam("lat"))
           .order_by(_SL.c.id.desc()).limit(1))


def layer_key_at(lon, lat) -> tuple:
    """``layer_key_of_search``'s ``(id, sha256)`` as two scalar subqueries on SQL expressions ``lon``, ``lat``, so that a
    statement reading the search also reads its layer's key (handed over with ``remember_layer_key``)."""
    where = (_SL.c.active.is_(True), _SL.c.min_lon <= lon, _SL.c.max_lon >= lon, _SL.c.min_lat <= lat,
             _SL.c.max_lat >= lat)
    return tuple(select(c).where(*where).order_by(_SL.c.id.desc()).limit(1).scalar_subquery() for c in (_SL.c.id,
                                                                                                        _SL.c.sha256))


def remember_layer_key(session, search, key: tuple | None) -> None:
    """What ``layer_key_of_search`` answers for ``search`` in this transaction: ``key``, read by the caller."""
    session.info.setdefault("street_layer_keys", {})[tuple(search.lkp["coordinates"][:2])] = key


def layer_key_of_search(session, search) -> tuple | None:
    """``layer_of_search``'s layer as its cache key ``(id, sha256)``, or None: for the track batch path, which
    needs no more of the layer. Read once per transaction (a group of phones' batches shares one: a layer loaded
    or replaced meanwhile is seen by the next transaction, on every process) by a statement built once, on the
    table: the ORM's load of the whole row cost about a third of a batch."""
    memo = session.info.setdefault("street_layer_keys", {})
    lon, lat = search.lkp["coordinates"][:2]   # (a batch's first read has usually brought it: field.py)
    if (lon, lat) not in memo:
        row = session.connection().execute(_KEY_AT, {"lon": lon, "lat": lat}).first()
        memo[(lon, lat)] = tuple(row) if row is not None else None
    return memo[(lon, lat)]


def station_actor(svc: Services, username: str | None = None) -> Actor:
    """The account a command-line load is made as: ``username`` (a dispatcher or admin), else the first active
    admin. ValidationError when there is none."""
    with svc.reading() as s:
        q = select(User).where(User.active.is_(True))
        q = q.where(User.username == username) if username else q.where(User.role == "admin").order_by(User.id)
        user = s.execute(q.limit(1)).scalar()
    if user is None or user.role not in ("admin", "dispatcher"):
        raise ValidationError({"user": f"no active dispatcher or admin {username or ''}".strip()
                               + ("" if username else ": create an admin first (users create)")})
    return Actor(user.id, user.role, "command line", user.display_name)


ADDRESS_COLUMNS = ("lon", "lat", "street", "housenumber", "unit")
MAX_ADDRESS_ROWS = 200_000


def import_addresses(svc: Services, actor: Actor, layer_id: int, data: bytes) -> dict:
    """Add a station's address list to a layer's door-to-door addresses: a CSV (UTF-8, a header naming ``lon``,
    ``lat`` and any of ``street``, ``housenumber``, ``unit``). All rows or none: every bad row is named (line and
    reason, up to 20) in one ValidationError. Dispatchers only. Returns ``{"layer_id", "added"}``."""
    require_dispatcher(actor)
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "the CSV must be UTF-8"}) from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"lon", "lat"} <= {(k or "").strip().lower() for k in rows[0]}:
        raise ValidationError({"file": "a CSV with a header line naming at least lon and lat"})
    if len(rows) > MAX_ADDRESS_ROWS:
        raise ValidationError({"file": f"at most {MAX_ADDRESS_ROWS} rows"})
    out, bad = [], []
    for n, row in enumerate(rows, start=2):
        r = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        try:
            lon, lat = float(r.get("lon", "")), float(r.get("lat", ""))
            check_lonlat(lon, lat)
        except (ValueError, GeometryError):
            bad.append(f"line {n}: lon and lat must be degrees")
            continue
        out.append({"lon": round(lon, 7), "lat": round(lat, 7), "street": (r.get("street") or "")[:200] or None,
                    "housenumber": (r.get("housenumber") or "")[:40] or None, "unit": (r.get("unit") or "")[:200] or None,
                    "building": False})
    if bad:
        raise ValidationError({"file": "; ".join(bad[:20]) + (f" (and {len(bad) - 20} more)" if len(bad) > 20 else "")})
    with svc.transaction() as s:
        layer = s.get(StreetLayer, layer_id)
        if layer is None:
            raise NotFound(f"street layer {layer_id} not found")
        s.execute(StreetAddress.__table__.insert(), [{"layer_id": layer_id, **a} for a in out])
        layer.counts = {**layer.counts, "addresses": layer.counts.get("addresses", 0) + len(out)}
    return {"layer_id": layer_id, "added": len(out)}
