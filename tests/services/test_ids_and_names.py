"""Input no database column can hold is refused as input (a 400 / 404 / a refusal), never reaches the database to fail
there (a 500): ids beyond PostgreSQL's integer (2^31 - 1), a NUL or other control character in a device name or a
client id. On SQLite and PostgreSQL."""
import pytest
from sqlalchemy import func, select

from search_coord.adapters.models import Event, TrackPoint
from search_coord.core.errors import NotFound, ValidationError
from search_coord.core.fields import MAX_ID, Form
from search_coord.services import field
from support import walk_east


def stored(svc, sid):
    with svc.reading() as s:
        fixes = s.execute(select(func.count()).select_from(TrackPoint).where(TrackPoint.search_id == sid)).scalar()
        devices = set(s.execute(select(TrackPoint.device).where(TrackPoint.search_id == sid)).scalars())
        events = s.execute(select(func.count()).select_from(Event).where(Event.search_id == sid,
                                                                          Event.type == "track.points")).scalar()
    return fixes, devices, events


@pytest.mark.parametrize("device", ["phone\x00one", "phone\none", "\x07bell", "tab\there"])
def test_a_device_name_with_control_characters_is_no_name(svc, people, svc_search, device):
    off1 = people["off1"]   # its Actor's device is the phone's X-Device-Id
    got = field.add_track_batch(svc, off1, svc_search, {"client_id": "ctl-dev-0001", "points": walk_east(0, 3),
                                                        "device": device})
    assert got["accepted"] == 3
    assert stored(svc, svc_search)[1] == {off1.device or ""}


@pytest.mark.parametrize("client_id", ["abc\x00defgh", "x" * 65 + "\x00", "ab\u00e9cdefgh", "line\nbreak1"])
def test_a_client_id_with_control_or_other_characters_is_refused_and_nothing_is_stored(svc, people, svc_search,
                                                                                        client_id):
    with pytest.raises(ValidationError) as err:
        field.add_track_batch(svc, people["off1"], svc_search, {"client_id": client_id, "points": walk_east(0, 3)})
    assert "client_id" in err.value.errors
    assert stored(svc, svc_search) == (0, set(), 0)


def test_a_search_id_beyond_the_id_columns_is_not_found(svc, people):
    with pytest.raises(NotFound):
        field.add_track_batch(svc, people["off1"], MAX_ID, {"client_id": "far-id-0001", "points": walk_east(0, 2)})


def test_an_id_field_takes_up_to_max_id():
    for value, ok in ((MAX_ID, True), (MAX_ID + 1, False), (2**53, False), (0, False)):
        form = Form({"user_id": value})
        form.identifier("user_id", required=True)
        assert ("user_id" in form.errors) is not ok, value
