"""Store factory (ARCHITECTURE §2): MongoDB when MONGO_URI is set, else an embedded SQLite file
under var/. A repository has one adapter per kind; `repository_for` picks the right one.

Each service gets its own database (Mongo) or file (SQLite); services never share one.
"""
import contextlib
import logging
import os
import sqlite3
import threading

log = logging.getLogger(__name__)

SQLITE = "sqlite"
MONGO = "mongo"


class SqliteStore:
    kind = SQLITE

    def __init__(self, path):
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # Autocommit mode; multi-statement writes use `transaction()` (BEGIN IMMEDIATE takes the
        # write lock up front, so concurrent writers queue instead of failing on upgrade).
        self.connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=10
        )
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA foreign_keys=ON")
        # A deleted or overwritten row is zeroed on disk, not merely unlinked: erasure (GDPR art.
        # 17) must not leave a person's texts readable in free pages of the file.
        self.connection.execute("PRAGMA secure_delete=ON")
        # One connection is shared by the process's workers; under eventlet they interleave only at
        # I/O, but the gateway-side tools use real threads, so serialise access explicitly.
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def transaction(self):
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            else:
                self.connection.execute("COMMIT")

    def execute(self, sql, params=()):
        with self._lock:
            return self.connection.execute(sql, params)

    def ping(self):
        self.execute("SELECT 1").fetchone()
        return True

    def forget_deleted(self):
        """Make deletions final on disk: the -wal file still holds the pages as they were before
        a deletion (until a checkpoint resets it, which may be never for a quiet store), so copy
        it into the database file, where secure_delete has zeroed what was deleted, and truncate
        it. Called after an erasure. True when the log is empty. A reader in another process
        holding an old snapshot makes it wait (the connection's busy timeout) and then give up:
        the next erasure, or the next automatic checkpoint, finishes the job."""
        if self.path == ":memory:":
            return True
        with self._lock:
            busy, _, _ = self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("%s: the write-ahead log could not be truncated after an erasure",
                        self.path)
        return not busy

    def describe(self):
        return {"kind": self.kind, "path": self.path}

    def close(self):
        self.connection.close()


class MongoStore:
    kind = MONGO

    def __init__(self, client, database_name):
        self.client = client
        self.db = client[database_name]
        self.database_name = database_name

    @classmethod
    def from_uri(cls, uri, database_name, timeout_ms=5000):
        import pymongo

        client = pymongo.MongoClient(
            uri,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms * 2,
            retryWrites=True,
            w="majority",
        )
        return cls(client, database_name)

    def ping(self):
        self.db.command("ping")
        return True

    def forget_deleted(self):
        """Nothing to do here: MongoDB's deleted documents are not served again, and their space
        is reused by WiredTiger; the journal and backups follow the operator's retention."""
        return True

    def describe(self):
        return {"kind": self.kind, "database": self.database_name}

    def close(self):
        self.client.close()


def open_store(service_name, config):
    """Open the store a service's config asks for. `MONGO_URI` set → MongoDB database
    `<MONGO_DB_PREFIX><service>`; unset → SQLite file `<var>/<service>/<service>.sqlite3`."""
    from servicekit.config import var_dir

    mongo_uri = config.get("MONGO_URI") or os.environ.get("MONGO_URI")
    if mongo_uri:
        prefix = config.get("MONGO_DB_PREFIX") or os.environ.get("MONGO_DB_PREFIX", "quartier_")
        return MongoStore.from_uri(mongo_uri, prefix + service_name)
    path = config.get("SQLITE_PATH") or os.path.join(
        var_dir(config), service_name, service_name + ".sqlite3"
    )
    return SqliteStore(path)


def repository_for(store, sqlite_adapter, mongo_adapter):
    """Instantiate the adapter matching the store's kind; each adapter prepares its own schema
    (tables or indexes) on construction, so a fresh store is ready to use."""
    adapter = {SQLITE: sqlite_adapter, MONGO: mongo_adapter}[store.kind]
    return adapter(store)
