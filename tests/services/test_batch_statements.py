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
