"""The lab with its PostgreSQL: Debian's server (`make postgres` installs it) started here in a folder of its
own on a free port of 127.0.0.1, as CI does; the storage interface on it and on SQLite alike, and two lab
servers sharing one database giving the same view."""
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from grading.lab import events
from grading.lab.storage import open_storage
from test_browser import free_port, wait_until_listening
from test_lab import LabServer, an_event, function_row


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        reason = "Debian's postgresql is missing (`make postgres` installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres():
    """The URL of a PostgreSQL server of its own (trust authentication, 127.0.0.1 only), stopped after."""
    binaries = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="lab-postgres-"))
    as_user = []
    if os.geteuid() == 0:  # PostgreSQL does not run as root: as Debian's postgres user
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    subprocess.run(as_user + [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "lab", "--no-sync"],
                   check=True, capture_output=True)
    log = folder / "postgres.log"
    with open(log, "w") as out:
        os.chown(log, *(os.stat(folder)[4:6]))
        server = subprocess.Popen(as_user + [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k",
                                             str(folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(port, server, "PostgreSQL", log, timeout=60)
        url = f"postgresql://lab@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while True:  # listening comes a moment before accepting logins
            try:
                open_storage(url).close()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGINT)  # a fast shutdown
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request, tmp_path):
    url = request.getfixturevalue("postgres") if request.param == "postgresql" else f"sqlite:///{tmp_path}/l.db"
    kept = open_storage(url)
    yield kept
    kept.close()


def test_the_storage_keeps_each_event_once_and_purges_a_session(storage):
    session = "s" + uuid.uuid4().hex[:8]
    now = time.time()
    sent = [events.event(an_event(), "s001", now), events.event(an_event("relu", "passed"), "s002", now)]
    assert storage.add(session, sent) == 2
    assert storage.add(session, sent[:1]) == 0  # sent again after a restart
    assert storage.add("other" + session, sent[:1]) == 1
    rows = storage.since(session)
    assert [event for _, event in rows] == sent
    assert storage.since(session, rows[0][0]) == rows[1:]
    assert (session, 2) in storage.sessions()
    assert storage.purge(session) == 2 and storage.since(session) == []
    assert ("other" + session, 1) in storage.sessions()


def test_two_servers_sharing_postgresql_show_the_same_view(postgres, tmp_path):
    first = LabServer(tmp_path / "lab", session="shared", db=postgres)
    second = LabServer(tmp_path / "lab", session="shared", db=postgres)  # the same folder: the same secret
    first.start()
    second.start()
    try:
        assert first.call("api/events", {"events": [an_event("sigmoid")]}, code=first.code("s001"))[0] == 200
        assert second.call("api/events", {"events": [an_event("sigmoid", "passed")]},
                           code=second.code("s002"))[0] == 200
        seen = [server.wait_for(lambda v: v["checks"] == 2) for server in (first, second)]
        for view in seen:
            assert function_row(view, "sigmoid") == {"function": "sigmoid", "notebook": "02_forward_propagation.ipynb",
                                                     "passed": 1, "trying": 1, "not_started": 1}
        assert [dict(view, updated=0) for view in seen[:1]] == [dict(seen[1], updated=0)]
    finally:
        first.stop()
        second.stop()


def test_a_row_committed_after_a_higher_one_is_still_read(postgres):
    """With PostgreSQL a row numbered first may be committed last: reading what is new by number alone would
    never see it; the server reads the numbers it has not seen (Storage.unseen)."""
    import psycopg
    from grading.lab.storage import INSERT, _row
    storage, session, now = open_storage(postgres), "s" + uuid.uuid4().hex[:8], time.time()
    slow, quick = (events.event(an_event(), learner, now) for learner in ("s001", "s002"))
    try:
        with psycopg.connect(postgres) as late:
            late.execute(INSERT.replace("?", "%s"), _row(slow, session))  # numbered, not committed yet
            assert storage.add(session, [quick]) == 1
            [(seen, _)] = storage.since(session)
            late.commit()
        assert storage.since(session, seen) == []  # by number alone, the slow row is lost
        [(number, event)] = storage.unseen(session, 0, {seen})
        assert number < seen and event == slow
    finally:
        storage.purge(session)
        storage.close()
