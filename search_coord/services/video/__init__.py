"""Video review, by use case: the camera registry (``cameras``), review tasks and reviewed stretches (``tasks``),
sightings and the chain of known points (``sightings``), the blind spot (``blind_spot``) and the panel's read
(``panel``); which footage to review in ``proposals``, a search's region in ``region``. The rules are in the core
(``core.cameras``, ``core.review``, ``core.blind_spot``, ``core.known_points``, ``core.video``).

Callers use the use cases re-exported here (``video.get_video``, ``video.create_task``, ...)."""
from .area import cameras_in_view
from .blind_spot import blind_spot_segments, get_blind_spot
from .cameras import (DISPATCHER_ONLY_FIELDS, DISPATCHER_PAGE_MAX, OFFICER_PAGE_MAX, apply_camera,
                      camera_page, camera_view, create_camera, for_viewer, list_cameras, update_camera)
from .panel import get_video
from .sightings import decide_sighting, get_trail, log_sighting, trail_of
from .tasks import check_overlaps, create_task, record_interval, update_task

__all__ = ["DISPATCHER_ONLY_FIELDS", "DISPATCHER_PAGE_MAX", "OFFICER_PAGE_MAX", "apply_camera",
           "blind_spot_segments", "camera_page", "cameras_in_view", "camera_view", "check_overlaps", "create_camera", "create_task",
           "decide_sighting", "for_viewer", "get_blind_spot", "get_trail", "get_video", "list_cameras",
           "log_sighting", "record_interval", "trail_of", "update_camera", "update_task"]
