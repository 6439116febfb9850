"""The statements every track batch runs are compiled once and run as they are: none has a parameter expanded at
each run (SQLAlchemy's "post-compile" ``in_`` lists are rendered again on every execution)."""
import pytest
from sqlalchemy.dialects import postgresql, sqlite

from search_coord.services import field, tracks


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("name, statement", [
    ("tracks.DEVICE_STATE", tracks.DEVICE_STATE), ("tracks._MODE_ONLY", tracks._MODE_ONLY), ("field._READS", field._READS.statement),
    ("field._READS_WITH_SEARCH", field._READS_WITH_SEARCH.statement), ("field._SENT", field._SENT)])
def test_the_batch_path_statements_expand_nothing_per_run(name, statement, dialect):
    assert "POSTCOMPILE" not in str(statement.compile(dialect=dialect)), name


def test_the_batch_reads_put_the_search_and_the_state_where_they_are_taken_by_position():
    """prepare_track_batch takes the search's columns and the device's state from a row of the reads by position."""
    for reads in (field._READS, field._READS_WITH_SEARCH):
        names = [c.name for c in reads.statement.selected_columns]
        assert names[field._KIND:] == ["t_" + n for n in field._STATE_COLUMNS]
        assert names[:len(field._CHECKS)] == [c.name for c in field._CHECKS]
    names = [c.name for c in field._READS_WITH_SEARCH.statement.selected_columns]
    first = len(field._CHECKS)
    assert names[first:first + len(field._SEARCH_COLUMNS)] == ["s_" + n for n in field._SEARCH_COLUMNS]
