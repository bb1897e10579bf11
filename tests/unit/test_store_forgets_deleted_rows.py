"""What a store does to make an erasure final on disk: SQLite zeroes deleted rows (secure_delete,
whatever the build's default) and `forget_deleted` empties the write-ahead log, which still holds
pages as they were before the deletion. MongoDB has nothing to do here (a no-op)."""
import os

MARKER = b"zqerasuremarker"


def files_holding(path, needle):
    folder, name = os.path.split(path)
    found = {}
    for candidate in os.listdir(folder):
        if candidate.startswith(name):
            with open(os.path.join(folder, candidate), "rb") as handle:
                count = handle.read().count(needle)
            if count:
                found[candidate] = count
    return found


def test_deleted_rows_leave_no_trace_in_the_files(store):
    if store.kind != "sqlite":
        assert store.forget_deleted() is True
        return
    assert store.execute("PRAGMA secure_delete").fetchone()[0] == 1
    store.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    for n in range(100):
        store.execute("INSERT INTO notes (body) VALUES (?)", ("filler %d" % n,))
    store.execute("INSERT INTO notes (body) VALUES (?)", (MARKER.decode() + " her words",))
    for n in range(100):
        store.execute("INSERT INTO notes (body) VALUES (?)", ("more filler %d" % n,))
    assert files_holding(store.path, MARKER)

    store.execute("DELETE FROM notes WHERE body LIKE ?", (MARKER.decode() + "%",))
    assert store.forget_deleted() is True
    store.forget_deleted()  # idempotent

    assert files_holding(store.path, MARKER) == {}
    assert os.path.getsize(store.path + "-wal") == 0
    assert store.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 200
