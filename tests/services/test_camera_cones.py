"""The registry's listing builds every camera's cone at once (``cones_lonlat``): each is the cone the camera's own
view (built alone, in its own projection) shows, to well under a centimetre."""
import shapely
from shapely.geometry import shape

from search_coord.services import video

from support import LKP


def test_the_listing_s_cones_are_each_camera_s_own(svc, people):
    d = people["disp"]
    specs = [{"direction_deg": 90, "fov_deg": 60, "range_m": 50}, {}, {"direction_deg": 10, "fov_deg": 360},
             {"direction_deg": 300, "fov_deg": 120}, {"range_m": 80}]
    alone = {}
    for i, spec in enumerate(specs):
        cam = video.create_camera(svc, d, {"code": f"K{i}", "name": f"Cam {i}", "kind": "traffic",
                                           "location": [LKP[0] + 0.003 * i, LKP[1] - 0.002 * i], **spec})
        alone[cam["id"]] = shape(cam["cone"])
    listed = video.camera_page(svc, d)["cameras"]
    assert {c["id"] for c in listed} == set(alone)
    for c in listed:
        cone = shape(c["cone"])
        assert cone.geom_type == "Polygon" and cone.is_valid
        assert shapely.hausdorff_distance(cone, alone[c["id"]]) < 1e-7   # degrees: ~1 cm
