"""Review tasks and reviewed stretches of footage: a dispatcher turns a proposal into a task, reviewers record what
they watched (in recorder or true time), and are warned of footage someone else has reviewed or holds."""
from __future__ import annotations

from datetime import datetime

from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...adapters.models import Camera, Membership, ReviewedInterval, ReviewTask, Team, User
from ...core import known_points, review, schemas, video
from ...core.cameras import site_cone
from ...core.errors import Forbidden, NotFound, OverlapWarning, ValidationError
from ...core.known_points import as_utc
from ...core.video import recorder_time
from .. import basis, events, searched_areas
from ..access import load_search, require_dispatcher, user_team_ids
from ..context import Actor, Services
from ..events import iso, naive_utc
from .region import begin_report, check_in_region, registered_camera, site


def reviewed_times(intervals: list[ReviewedInterval]) -> list[tuple[datetime, datetime]]:
    """Reviewed stretches as aware (start, end) pairs, for the core's interval rules."""
    return [(as_utc(iv.start), as_utc(iv.end)) for iv in intervals]


def retention_view(start: datetime, retention_days: float | None, now: datetime) -> dict:
    """When the footage from ``start`` is overwritten and whether that is ok, expiring, expired or unknown."""
    expires, status = review.retention(start, retention_days, now)
    return {"expires_at": iso(expires), "status": status}


def intervals_by_camera(s, search_id: int, camera_id: int | None = None) -> dict[int, list[ReviewedInterval]]:
    """The search's reviewed stretches by camera (of one camera only, when given), in time order."""
    q = select(ReviewedInterval).where(ReviewedInterval.search_id == search_id)
    if camera_id is not None:
        q = q.where(ReviewedInterval.camera_id == camera_id)
    out: dict[int, list] = {}
    for iv in s.execute(q.order_by(ReviewedInterval.start)).scalars():
        out.setdefault(iv.camera_id, []).append(iv)
    return out


def open_tasks(s, search_id: int) -> dict[int, int]:
    """Camera id -> its (latest) review task that is not cancelled."""
    return {t.camera_id: t.id for t in s.execute(select(ReviewTask).where(
        ReviewTask.search_id == search_id, ReviewTask.status != "cancelled").order_by(ReviewTask.id)).scalars()}


def task_view(t: ReviewTask, cam: Camera, intervals: list[ReviewedInterval], now: datetime) -> dict:
    window = (as_utc(t.start), as_utc(t.end))
    merged = review.clipped(window, reviewed_times(intervals))
    return {"id": t.id, "camera_id": t.camera_id, "code": cam.code, "camera_name": cam.name,
            "start": iso(t.start), "end": iso(t.end),
            "recorder_start": iso(recorder_time(window[0], cam.clock_offset_s)),
            "recorder_end": iso(recorder_time(window[1], cam.clock_offset_s)),
            "retention": retention_view(window[0], cam.retention_days, now),
            "team_id": t.team_id, "reviewer_id": t.reviewer_id, "footage": t.footage, "status": t.status,
            "notes": t.notes, "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
            "reviewed": [[iso(a), iso(b)] for a, b in merged],
            "reviewed_s": review.covered_seconds(window, merged),
            "window_s": (window[1] - window[0]).total_seconds()}


def interval_view(iv: ReviewedInterval, cam: Camera) -> dict:
    return {"id": iv.id, "camera_id": iv.camera_id, "code": cam.code, "task_id": iv.task_id,
            "reviewer_id": iv.reviewer_id, "start": iso(iv.start), "end": iso(iv.end),
            "recorder_start": iso(recorder_time(as_utc(iv.start), cam.clock_offset_s)),
            "recorder_end": iso(recorder_time(as_utc(iv.end), cam.clock_offset_s)),
            "notes": iv.notes, "searched_area_id": iv.searched_area_id, "created_at": iso(iv.created_at)}


def _check_assignee(s, search_id: int, clean: dict) -> None:
    if clean.get("team_id") is not None:
        team = s.get(Team, clean["team_id"])
        if team is None or team.search_id != search_id or team.disbanded:
            raise ValidationError({"team_id": "is not a team of this search"})
    if clean.get("reviewer_id") is not None:
        member = s.execute(select(Membership.id).where(Membership.search_id == search_id,
                                                       Membership.user_id == clean["reviewer_id"])).first()
        if member is None:
            raise ValidationError({"reviewer_id": "is not on this search"})


def create_task(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A dispatcher turns a proposal into a task: one camera, one window (true time), a team or a reviewer."""
    require_dispatcher(actor)
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor, dispatcher_only=True)
        schemas.check_search_writable(search.status)
        since = known_points.missing_since(search.lkp_time, search.lkp_history)
        clean = video.clean_task(data, now, since - review.REVIEW_LEAD)
        cam = registered_camera(s, clean["camera_id"])
        check_in_region(search, cam, now)
        _check_assignee(s, search_id, clean)
        t = ReviewTask(search_id=search_id, camera_id=cam.id, start=naive_utc(clean["start"]),
                       end=naive_utc(clean["end"]), team_id=clean.get("team_id"),
                       reviewer_id=clean.get("reviewer_id"), notes=clean.get("notes"),
                       footage=clean.get("footage") or "not_requested", status=clean.get("status") or "open",
                       created_by=actor.user_id, created_at=naive_utc(now), updated_at=naive_utc(now))
        s.add(t)
        s.flush()
        view = task_view(t, cam, intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
        events.record(s, search_id, "video.task_created", actor, {"task": view}, now)
    return view


def _may_work_on(s, search_id: int, task: ReviewTask, actor: Actor) -> bool:
    return actor.is_dispatcher or task.reviewer_id == actor.user_id or \
        (task.team_id is not None and task.team_id in user_team_ids(s, search_id, actor.user_id))


def update_task(svc: Services, actor: Actor, search_id: int, task_id: int, data: dict) -> dict:
    """Dispatchers change anything; the task's reviewer (or its team) records footage requests and progress."""
    now = svc.now()
    with svc.transaction() as s:
        search = load_search(s, search_id, actor)
        schemas.check_search_writable(search.status)
        t = s.get(ReviewTask, task_id)
        if t is None or t.search_id != search_id:
            raise NotFound(f"review task {task_id} not found on search {search_id}")
        if not isinstance(data, dict) or not data:
            raise ValidationError({"_body": "nothing to change"})
        since = known_points.missing_since(search.lkp_time, search.lkp_history)
        clean = video.clean_task(data, now, since - review.REVIEW_LEAD, partial=True)
        if not actor.is_dispatcher:
            if not _may_work_on(s, search_id, t, actor):
                raise Forbidden(f"review task {task_id} is neither yours nor your team's")
            extra = set(clean) - {"footage", "status", "notes"}
            if extra:
                raise ValidationError({k: "only a dispatcher may change this" for k in sorted(extra)})
        _check_assignee(s, search_id, clean)
        for key in ("start", "end"):
            if key in clean:
                setattr(t, key, naive_utc(clean[key]))
        if t.end <= t.start:
            raise ValidationError({"end": "must be after the start"})
        for key in ("team_id", "reviewer_id", "notes", "footage", "status"):
            if key in clean:
                if key in ("footage", "status") and clean[key] is None:
                    raise ValidationError({key: "is required"})
                setattr(t, key, clean[key])
        t.updated_at = naive_utc(now)
        s.flush()
        cam = s.get(Camera, t.camera_id)
        view = task_view(t, cam, intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
        events.record(s, search_id, "video.task_updated", actor, {"task": view, "changes": sorted(clean)}, now)
    return view


def _overlaps(s, search_id: int, cam: Camera, start: datetime, end: datetime, actor: Actor) -> list[dict]:
    """Footage of this camera in [start, end] that someone else has reviewed, or holds in an open task: one named
    for another reviewer (of any team), or one given to another team as a whole. Times in both clocks."""
    camera_id = cam.id
    mine = user_team_ids(s, search_id, actor.user_id)
    names = dict(s.execute(select(User.id, User.display_name)).all())

    def clocks(a: datetime, b: datetime) -> dict:
        return {"start": iso(a), "end": iso(b),
                "recorder_start": iso(recorder_time(as_utc(a), cam.clock_offset_s)),
                "recorder_end": iso(recorder_time(as_utc(b), cam.clock_offset_s))}

    out = []
    for iv in s.execute(select(ReviewedInterval).where(
            ReviewedInterval.search_id == search_id, ReviewedInterval.camera_id == camera_id,
            ReviewedInterval.reviewer_id != actor.user_id,
            ReviewedInterval.start < naive_utc(end), ReviewedInterval.end > naive_utc(start))
            .order_by(ReviewedInterval.start)).scalars():
        out.append({"kind": "reviewed", "id": iv.id, "reviewer_id": iv.reviewer_id,
                    "name": names.get(iv.reviewer_id), **clocks(iv.start, iv.end)})
    for t in s.execute(select(ReviewTask).where(
            ReviewTask.search_id == search_id, ReviewTask.camera_id == camera_id,
            ReviewTask.status.in_(("open", "in_progress")),
            ReviewTask.start < naive_utc(end), ReviewTask.end > naive_utc(start)).order_by(ReviewTask.id)).scalars():
        if t.reviewer_id == actor.user_id:
            continue  # mine
        if t.reviewer_id is None and (t.team_id is None or t.team_id in mine):
            continue  # nobody holds it yet, or my team does as a whole
        out.append({"kind": "task", "id": t.id, "reviewer_id": t.reviewer_id, "team_id": t.team_id,
                    "name": names.get(t.reviewer_id) if t.reviewer_id else None, **clocks(t.start, t.end)})
    return out


def check_overlaps(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """Before reviewing: who has already reviewed, or holds, this camera's footage in this stretch."""
    now = svc.now()
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        cam = registered_camera(s, data.get("camera_id") if isinstance(data, dict) and
                      isinstance(data.get("camera_id"), int) else 0)
        clean = video.clean_interval({k: v for k, v in data.items() if k in ("camera_id", "start", "end", "clock")},
                                     now, known_points.missing_since(search.lkp_time, search.lkp_history),
                                     cam.clock_offset_s)
        return {"overlaps": _overlaps(s, search_id, cam, clean["start"], clean["end"], actor),
                "start": iso(clean["start"]), "end": iso(clean["end"])}


def record_interval(svc: Services, actor: Actor, search_id: int, data: dict) -> dict:
    """A reviewer records a stretch of footage watched without seeing the subject. Overlapping someone else's
    review is refused with the overlaps (409) unless confirmed. At a camera watching the only way out of an area,
    it also counts as a search of the camera's view with a stated POD. Applied once per client id."""
    now = svc.now()
    client_id = data.get("client_id") if isinstance(data, dict) else None
    try:
        with svc.transaction() as s:
            search, cam, clean, ev = begin_report(s, search_id, actor, data, now, video.clean_interval,
                                                   "video.reviewed")
            task = None
            if clean.get("task_id") is not None:
                task = s.get(ReviewTask, clean["task_id"])
                if task is None or task.search_id != search_id or task.camera_id != cam.id:
                    raise ValidationError({"task_id": "is not a review task of this camera on this search"})
            overlaps = _overlaps(s, search_id, cam, clean["start"], clean["end"], actor)
            if overlaps and not clean.get("confirm_overlap"):
                raise OverlapWarning(f"camera {cam.code}: this stretch overlaps footage someone else has reviewed "
                                     f"or holds; send again with confirm_overlap to record it anyway", overlaps)
            area = None
            if cam.covers_exit:
                proj = basis.projection(search)
                x, y = proj.to_xy([cam.lon], [cam.lat])
                cone = mapping(proj.unproject(site_cone(site(cam), x[0], y[0])))
                area, _ = searched_areas.add_searched_area(
                    s, search, task.team_id if task else None, cone, clean.get("pod") or video.DEFAULT_EXIT_POD,
                    f"📹 {cam.code} · {cam.name}",
                    actor, now)
            read = clean["clock"] == "recorder"
            iv = ReviewedInterval(search_id=search_id, camera_id=cam.id, task_id=task.id if task else None,
                                  reviewer_id=actor.user_id, start=naive_utc(clean["start"]),
                                  end=naive_utc(clean["end"]), notes=clean.get("notes"),
                                  searched_area_id=area["id"] if area else None, created_at=naive_utc(now),
                                  recorder_start=naive_utc(recorder_time(clean["start"], cam.clock_offset_s))
                                  if read else None,
                                  recorder_end=naive_utc(recorder_time(clean["end"], cam.clock_offset_s))
                                  if read else None)
            s.add(iv)
            if task is not None and task.status == "open":
                task.status, task.updated_at = "in_progress", naive_utc(now)
            s.flush()
            view = interval_view(iv, cam)
            payload = {"interval": view, "overlaps": overlaps, "area": area}
            if task is not None:
                payload["task"] = task_view(task, cam, intervals_by_camera(s, search_id, cam.id).get(cam.id, []), now)
            events.finish(s, ev, payload)
        return {"interval": view, "overlaps": overlaps, "area": area}
    except IntegrityError as exc:
        payload = events.replayed(svc, search_id, client_id, exc, actor=actor, type_="video.reviewed")["payload"]
        return {"interval": payload["interval"], "overlaps": payload["overlaps"], "area": payload.get("area"),
                "duplicate": True}
