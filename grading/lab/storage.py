"""Where a lab's events are kept: SQLite by default, PostgreSQL when given its URL, behind one interface.

    open_storage("sqlite:///path/to/lab.sqlite3")  or  open_storage("postgresql://user@host/dbname")

Each event is kept once per (session, learner, id): an event sent again (its learner's kernel resends what it
could not deliver) is not stored twice. Rows are numbered in the order they are stored (`seq`), so a server
reads what is new since it last looked; two servers sharing one PostgreSQL database read the same events.
"""
import json
import sqlite3
import threading
from pathlib import Path

from .events import Event

COLUMNS = ("session", "id", "learner", "notebook", "function", "outcome", "mistakes", "problems", "attempt", "time",
           "received")
TABLE = """CREATE TABLE IF NOT EXISTS events (
    seq {serial} PRIMARY KEY, session TEXT NOT NULL, id TEXT NOT NULL, learner TEXT NOT NULL,
    notebook TEXT NOT NULL, function TEXT NOT NULL, outcome TEXT NOT NULL, mistakes TEXT NOT NULL,
    problems TEXT NOT NULL, attempt INTEGER NOT NULL, time DOUBLE PRECISION NOT NULL,
    received DOUBLE PRECISION NOT NULL, UNIQUE (session, learner, id))"""
INSERT = (f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
          f"ON CONFLICT DO NOTHING")
SELECT = f"SELECT seq, {', '.join(COLUMNS)} FROM events WHERE session = ? AND seq > ? ORDER BY seq"


class StorageError(RuntimeError):
    pass


def _row(event, session):
    return (session, event.id, event.learner, event.notebook, event.function, event.outcome,
            json.dumps([list(pair) for pair in event.mistakes]), json.dumps(list(event.problems)), event.attempt,
            event.time, event.received)


def _event(row):
    _, _, id, learner, notebook, function, outcome, mistakes, problems, attempt, time, received = row
    return Event(id, learner, notebook, function, outcome, tuple(tuple(pair) for pair in json.loads(mistakes)),
                 tuple(json.loads(problems)), attempt, time, received)


class Storage:
    """The interface: add, since, purge, sessions. Subclasses give `_run(sql, rows, fetch)` in their SQL's
    placeholders (written here with ?)."""

    def add(self, session, events):
        """Store `events` (Event objects) of `session` in one transaction; return how many were new."""
        return self._run(INSERT, [_row(event, session) for event in events], count=True)

    def since(self, session, seq=0):
        """[(seq, Event)] of `session` stored after row `seq`, in order."""
        return [(row[0], _event(row)) for row in self._run(SELECT, [(session, seq)], fetch=True)]

    def unseen(self, session, seq, seen):
        """[(seq, Event)] of `session` stored after row `seq` whose row is not in the set `seen`. With PostgreSQL
        rows are numbered when inserted but seen when committed, so a row may appear after a row of a higher
        number: a reader looks back over the numbers it has seen instead of trusting the highest."""
        numbers = [row[0] for row in self._run("SELECT seq FROM events WHERE session = ? AND seq > ?",
                                               [(session, seq)], fetch=True) if row[0] not in seen]
        found = []
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            found += self._run(f"SELECT seq, {', '.join(COLUMNS)} FROM events WHERE seq IN "
                               f"({', '.join('?' * len(chunk))}) ORDER BY seq", [tuple(chunk)], fetch=True)
        return [(row[0], _event(row)) for row in found]

    def purge(self, session):
        """Delete every event of `session`; return how many there were."""
        return self._run("DELETE FROM events WHERE session = ?", [(session,)], count=True)

    def sessions(self):
        """[(session, number of events)], the sessions kept."""
        return [tuple(row) for row in self._run("SELECT session, COUNT(*) FROM events GROUP BY session "
                                                "ORDER BY session", [()], fetch=True)]


class SQLiteStorage(Storage):
    def __init__(self, path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.where = str(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(TABLE.format(serial="INTEGER"))
            self._db.commit()
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the lab's database {path}: {error}") from None

    def _run(self, sql, rows, fetch=False, count=False):
        with self._lock:
            with self._db:  # one transaction
                if fetch:
                    return self._db.execute(sql, rows[0]).fetchall()
                before = self._db.total_changes
                self._db.executemany(sql, rows)
                return self._db.total_changes - before

    def close(self):
        self._db.close()


class PostgresStorage(Storage):
    def __init__(self, url):
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as error:
            raise StorageError(f"a PostgreSQL URL needs psycopg ({error}); pip install -r requirements.txt") \
                from None
        self.where = url.split("@")[-1]
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=8, open=True, timeout=30)
            with self._pool.connection() as db:
                db.execute(TABLE.format(serial="BIGSERIAL"))
        except psycopg.Error as error:
            raise StorageError(f"cannot open the lab's database {self.where}: {error}") from None

    def _run(self, sql, rows, fetch=False, count=False):
        sql = sql.replace("?", "%s")
        with self._pool.connection() as db:  # one transaction, committed on leaving
            with db.cursor() as cursor:
                if fetch:
                    cursor.execute(sql, rows[0])
                    return cursor.fetchall()
                total = 0
                for row in rows:
                    cursor.execute(sql, row)
                    total += max(cursor.rowcount, 0)
                return total

    def close(self):
        self._pool.close()


def open_storage(url):
    """The Storage of `url`: sqlite:///PATH (or a plain path) or postgresql://..."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStorage(url)
    if url.startswith("sqlite:///"):
        return SQLiteStorage(url[len("sqlite:///"):])  # sqlite:////abs/path or sqlite:///relative/path
    if "://" in url:
        raise StorageError(f"--db {url}: unknown kind of database; expected sqlite:///PATH or postgresql://...")
    return SQLiteStorage(url)
