"""The lab with its PostgreSQL: Debian's server (`make postgres` installs it) started here in a folder of its
own on a free port of 127.0.0.1, as CI does; the storage interface on it and on SQLite alike, and two lab
servers sharing one database giving the same view, side by side and behind one proxy that takes turns."""
import copy
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
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


class TakingTurns:
    """A TCP proxy on a free port of 127.0.0.1 that hands each new connection to the next of `ports` in turn (as
    a reverse proxy balancing two lab servers does); `served[port]` counts the connections each one got."""

    def __init__(self, ports):
        self.ports, self.served = list(ports), dict.fromkeys(ports, 0)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        turn = 0
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            port = self.ports[turn % len(self.ports)]
            turn += 1
            self.served[port] += 1
            backend = socket.create_connection(("127.0.0.1", port))
            self.open += [client, backend]
            for source, target in ((client, backend), (backend, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.listener.close()
        for each in self.open:
            each.close()


def test_two_servers_behind_one_proxy_give_the_same_view(postgres, tmp_path):
    """Two lab servers on one PostgreSQL behind a proxy that takes turns: events posted through it land on
    either server, and every view read through it, from either one, counts them all alike."""
    servers = [LabServer(tmp_path / "lab", session="proxied", db=postgres) for _ in range(2)]
    for server in servers:
        server.start()
    proxy = TakingTurns([server.port for server in servers])
    front = copy.copy(servers[0])
    front.url = proxy.url
    try:
        for learner, outcome in (("s001", "failed"), ("s002", "passed"), ("s003", "failed"), ("s001", "passed")):
            assert front.call("api/events", {"events": [an_event("relu", outcome)]}, code=front.code(learner))[0] == 200
        views = [front.wait_for(lambda v: v["checks"] == 4) for _ in range(4)]  # two from each server
        assert all(count >= 4 for count in proxy.served.values()), proxy.served  # both served posts and views
        for view in views:
            assert function_row(view, "relu") == {"function": "relu", "notebook": "02_forward_propagation.ipynb",
                                                  "passed": 2, "trying": 1, "not_started": 0}
        assert len({repr(dict(view, updated=0)) for view in views}) == 1
    finally:
        proxy.close()
        for server in servers:
            server.stop()


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
