"""The demo search: an 80-year-old man with dementia walked out of a residential compound in Changyang, Fangshan
district, Beijing at 17:30 on a -3 °C evening. Loading it twice changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..adapters.models import Search, User
from . import searches, teams, users, where
from .context import Actor, Services

BEIJING = timezone(timedelta(hours=8))
PASSWORD = "demo-pass-2026"
LKP = (116.1985, 39.7712)  # gate of a residential compound in Changyang town (lon, lat)

ACCOUNTS = [
    ("admin", "Admin 管理员", "admin", None),
    ("dispatch", "Wang Li 王立 (dispatcher)", "dispatcher", "Changyang police station"),
    ("video1", "Zhao Min 赵敏", "officer", "Video review"),
    ("video2", "Sun Hao 孙浩", "officer", "Video review"),
    ("patrol1", "Li Qiang 李强", "officer", "Patrol"),
    ("patrol2", "Chen Jie 陈杰", "officer", "Patrol"),
    ("patrol3", "Liu Yang 刘洋", "officer", "Patrol"),
]


def _last_1730(now: datetime) -> datetime:
    local = now.astimezone(BEIJING)
    at = local.replace(hour=17, minute=30, second=0, microsecond=0)
    if at > local:
        at -= timedelta(days=1)
    return at


def load(svc: Services) -> dict:
    """Create the demo accounts and search if missing; return what ``describe`` prints."""
    with svc.reading() as s:
        existing = s.execute(select(Search.id).where(Search.title == "DEMO 张桂林 Zhang Guilin")).scalar()
        ids = {u.username: u.id for u in s.execute(select(User)).scalars()}
    for username, name, role, unit in ACCOUNTS:
        if username not in ids:
            ids[username] = users.create_user(svc, None, {"username": username, "display_name": name, "role": role,
                                                          "password": PASSWORD, "unit": unit})["id"]
    if existing is None:
        existing = _open(svc, ids)
    return {"search_id": existing, "accounts": [(a[0], a[2]) for a in ACCOUNTS], "password": PASSWORD}


def _open(svc: Services, ids: dict[str, int]) -> int:
    d = Actor(ids["dispatch"], "dispatcher", "demo")
    lkp_time = _last_1730(svc.now())
    search = searches.open_search(svc, d, {
        "title": "DEMO 张桂林 Zhang Guilin",
        "subject": {"name": "张桂林 Zhang Guilin", "age": 80, "sex": "male", "category": "dementia",
                    "description": "1.70 m, thin, grey hair, walks slowly with a slight stoop; speaks only the "
                                   "local dialect; may not answer to his name.",
                    "clothing": "Dark blue padded jacket, grey trousers, black cloth shoes, no hat.",
                    "medical": "Alzheimer's disease; hypertension, takes medication at 20:00."},
        "lkp": {"type": "Point", "coordinates": list(LKP)},
        "lkp_time": lkp_time.isoformat(),
        "lkp_address": "North gate, residential compound, Changyang town, Fangshan district, Beijing",
        "terrain": "urban",
        "risk": "high",
        "risk_reasons": ["age", "dementia_or_illness", "weather", "nightfall", "medication"],
        "notes": "-3 °C and getting dark. Family searched the flat and the stairwells before calling. "
                 "He used to work at the Changyang farm market.",
    })
    sid = search["id"]
    for name in ("video1", "video2", "patrol1", "patrol2", "patrol3"):
        searches.add_member(svc, d, sid, ids[name])
    video = teams.create_team(svc, d, sid, {"name": "Video review 视频组", "kind": "video_review", "callsign": "V1",
                                            "leader_id": ids["video1"], "member_ids": [ids["video2"]]})
    patrol = teams.create_team(svc, d, sid, {"name": "Patrol 巡逻组", "kind": "vehicle_patrol", "callsign": "P1",
                                             "leader_id": ids["patrol1"],
                                             "member_ids": [ids["patrol2"], ids["patrol3"]]})
    lon, lat = LKP
    teams.create_assignment(svc, d, sid, {
        "title": "Compound: garages, bike sheds, corners", "kind": "area", "team_id": patrol["id"],
        "geometry": {"type": "Polygon", "coordinates": [[
            [lon - 0.0030, lat - 0.0020], [lon + 0.0030, lat - 0.0020], [lon + 0.0030, lat + 0.0020],
            [lon - 0.0030, lat + 0.0020], [lon - 0.0030, lat - 0.0020]]]},
        "instructions": "Every garage, stairwell, bike shed and the boiler room. Record what could NOT be opened."})
    teams.create_assignment(svc, d, sid, {
        "title": "Road east towards the farm market", "kind": "route", "team_id": patrol["id"],
        "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.010, lat + 0.001],
                                                           [lon + 0.021, lat + 0.002]]},
        "instructions": "Drive slowly with the window down; check bus stops and the market entrance."})
    teams.create_assignment(svc, d, sid, {
        "title": "Cameras at the gates and the main road", "kind": "places", "team_id": video["id"],
        "geometry": {"type": "MultiPoint", "coordinates": [[lon, lat + 0.0004], [lon + 0.0032, lat - 0.0012],
                                                            [lon - 0.0025, lat + 0.0021]]},
        "places": ["North gate camera", "Supermarket on the main road", "Bus stop, west side"],
        "instructions": "Review from 17:20: which way did he turn at the gate?"})
    where.generate_segments(svc, d, sid, {"shape": "square", "cell_m": 800})
    return sid


def describe(info: dict) -> str:
    lines = [f"Demo search {info['search_id']} loaded. Logins (password for all: {info['password']}):"]
    lines += [f"  {name:<10} {role}" for name, role in info["accounts"]]
    return "\n".join(lines)
