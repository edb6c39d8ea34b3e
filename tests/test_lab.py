"""The live lab's server as it runs: started as README says (python -m grading lab serve, SQLite in its folder,
on a free port of 127.0.0.1), spoken to over HTTP as a learner's kernel and an instructor's browser do, with
forged learners, oversized and malformed bodies, floods and HTML in fields; then purged."""
import csv
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from grading.lab import codes
from test_browser import free_port, wait_until_listening

PROJECT = Path(__file__).resolve().parents[1]
ROSTER = "id,name,email,section\ns001,Ada Lovelace,ada@example.org,A\ns002,Alan Turing,alan@example.org,B\n" \
         "s003,Grace Hopper,grace@example.org,A\n"


class LabServer:
    """`python -m grading lab serve` in a process of its own, on a free port; stop() and start() again keep
    its folder (secret and SQLite database, unless `db` names another database)."""

    def __init__(self, folder, session="week1", roster=True, db=None):
        self.folder, self.session, self.port, self.db = Path(folder), session, free_port(), db
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "roster.csv").write_text(ROSTER)
        self.roster = roster
        self.url = f"http://127.0.0.1:{self.port}/"
        self.key = codes.secret(self.folder)
        self.token = codes.instructor_token(self.key)
        self.process = None

    def command(self, *words):
        return [sys.executable, "-m", "grading", "lab", *words, "--dir", str(self.folder)]

    def start(self):
        extra = (["--roster", str(self.folder / "roster.csv")] if self.roster else []) + \
            (["--db", self.db] if self.db else [])
        log = self.folder / "server.log"
        with open(log, "a") as out:
            self.process = subprocess.Popen(self.command("serve", "--port", str(self.port), "--session",
                                                         self.session, *extra),
                                            cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_listening(self.port, self.process, "the lab server", log, timeout=30)
        return self

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def code(self, learner):
        return codes.learner_code(self.key, learner)

    def call(self, path, body=None, code=None, token=None, raw=None, headers=()):
        """(status, parsed JSON or text, headers) of one request."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, dict(headers))
        if code:
            request.add_header("Authorization", f"Bearer {code}")
        if token:
            request.add_header("Cookie", f"lab_instructor={token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text, got = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as refused:
            status, text, got = refused.code, refused.read().decode(), refused.headers
        try:
            return status, json.loads(text), got
        except ValueError:
            return status, text, got

    def view(self, **query):
        path = "view.json" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        status, view, _ = self.call(path, token=self.token)
        assert status == 200, view
        return view

    def wait_for(self, condition, timeout=15, **query):
        """The view once `condition(view)` holds (the server reads what is stored twice a second)."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.view(**query)
            if condition(view) or time.monotonic() > deadline:
                return view
            time.sleep(0.1)


def function_row(view, name):
    return next(row for row in view["functions"] if row["function"] == name)


def an_event(function="linear_forward", outcome="failed", **fields):
    event = {"id": uuid.uuid4().hex, "function": function, "outcome": outcome, "attempt": 1, "time": time.time(),
             "mistakes": [{"id": "transposed_product", "words": "Z = W A: W comes first"}] if outcome == "failed"
             else [], "problems": ["wrong shape"] if outcome == "failed" else []}
    event.update(fields)
    return event


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("lab")).start()
    yield server
    server.stop()


def stored(lab):
    """The session's events as its CSV export gives them."""
    status, text, _ = lab.call("export.csv", token=lab.token)
    assert status == 200, text
    return list(csv.DictReader(io.StringIO(text)))


def test_codes_are_printed_one_per_learner_and_only_the_labs_own_are_accepted(lab):
    out = subprocess.run(lab.command("codes", str(lab.folder / "roster.csv"), "--url", lab.url), cwd=PROJECT,
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == ["s001", "s002", "s003"]
    assert rows[0]["code"] == lab.code("s001") and rows[0]["code"] != lab.code("s002")
    assert rows[0]["join"] == f"from companion.lab import join; join('{lab.url}', '{lab.code('s001')}')"
    assert lab.call("api/hello", code=lab.code("s002"))[:2] == (200, {"learner": "s002", "session": "week1"})
    other_lab = codes.learner_code(bytes(32), "s002")
    assert lab.call("api/hello", code=other_lab)[0] == 403
    assert lab.call("api/hello", code=lab.code("s001")[:-1] + "a")[0] == 403
    assert lab.call("api/hello")[0] == 401
    assert lab.call("api/hello", code=lab.code("s999"))[:2] == (403, {"error": "learner s999 is not on this lab's "
                                                                               "roster"})


def test_a_learners_events_change_the_view_and_a_resent_event_counts_once(lab):
    before = function_row(lab.view(), "relu")
    failed, passed = an_event("relu"), an_event("relu", "passed", attempt=2)
    assert lab.call("api/events", {"events": [failed]}, code=lab.code("s001"))[:2] == (200, {"stored": 1,
                                                                                             "sent": 1})
    view = lab.wait_for(lambda v: function_row(v, "relu")["trying"] == before["trying"] + 1)
    assert function_row(view, "relu")["trying"] == before["trying"] + 1
    assert {"function": "relu", "words": "Z = W A: W comes first", "learners": 1} in view["mistakes"]
    stuck = [row for row in view["stuck"] if row["function"] == "relu"]
    assert stuck and stuck[0]["name"] == "Ada Lovelace" and stuck[0]["section"] == "A"
    assert lab.call("api/events", {"events": [failed, passed]}, code=lab.code("s001"))[1] == {"stored": 1,
                                                                                             "sent": 2}
    view = lab.wait_for(lambda v: function_row(v, "relu")["passed"] == before["passed"] + 1)
    assert function_row(view, "relu") == dict(before, passed=before["passed"] + 1,
                                              not_started=before["not_started"] - 1)
    assert not [row for row in view["stuck"] if row["function"] == "relu"]
    in_b = lab.view(section="B")
    assert in_b["learners"] == 1 and function_row(in_b, "relu")["passed"] == 0
    projector = lab.view(projector=1)
    assert projector["stuck"] == [] and "Ada" not in json.dumps(projector)


def test_a_learner_cannot_post_another_learners_events(lab):
    count = len(stored(lab))
    status, answer, _ = lab.call("api/events", {"events": [an_event(learner="s002")]}, code=lab.code("s001"))
    assert (status, answer) == (403, {"error": "the join code is s001's: it may post only s001's events"})
    assert lab.call("api/events", {"events": [an_event()]}, code="s002-" + "a" * 16)[0] == 403
    assert len(stored(lab)) == count


@pytest.mark.parametrize("body, status, words", [
    (b"x" * 40_000, 413, "Content Too Large"),
    (b"{not json", 400, "the body is not JSON"),
    (json.dumps({"events": [an_event()] * 51}).encode(), 422, "events: 51 items; expected at most 50"),
    (json.dumps({"events": [an_event(function="os.system")]}).encode(), 422,
     "events[0].function: got 'os.system'; expected one of"),
    (json.dumps({"events": [an_event(), an_event(attempt=-1)]}).encode(), 422,
     "events[1].attempt: got -1; expected a number from 1 to 100000"),
    (json.dumps({"events": [an_event(code="print(1)")]}).encode(), 422, "events[0]: unknown field 'code'"),
    (json.dumps({"events": [an_event(mistakes=[{"id": "x", "words": "w" * 401}])]}).encode(), 422,
     "events[0].mistakes[0].words: 401 characters; expected at most 400"),
    (json.dumps({"events": [an_event(id="../../etc")]}).encode(), 422, "events[0].id: got '../../etc'"),
    (json.dumps([1, 2]).encode(), 422, "body: got [1, 2]; expected {\"events\": [...]}"),
], ids=["oversized", "not-json", "too-many", "function", "attempt", "code-field", "long-words", "id", "list"])
def test_a_bad_request_is_refused_with_a_reason_and_nothing_is_stored(lab, body, status, words):
    count = len(stored(lab))
    got, answer, _ = lab.call("api/events", raw=body, code=lab.code("s003"))
    assert got == status and words in (answer["error"] if isinstance(answer, dict) else answer)
    assert len(stored(lab)) == count
    assert lab.call("health")[:2] == (200, "ok")


def test_a_flood_is_slowed_for_its_learner_only(lab):
    code = lab.code("s002")
    answers = [lab.call("api/events", {"events": [an_event("sigmoid", "not_written")]}, code=code)
               for _ in range(40)]
    refused = [headers for status, _, headers in answers if status == 429]
    assert refused and int(refused[0]["Retry-After"]) >= 1
    assert all(status == 200 for status, _, _ in answers[:30])
    assert lab.call("api/events", {"events": [an_event("sigmoid", "not_written")]}, code=lab.code("s003"))[0] == 200


def test_the_instructors_view_needs_the_instructors_token(lab):
    status, page, _ = lab.call("")
    assert status == 401 and "Instructor's token" in page and "Ada" not in page
    assert lab.call("?token=wrong")[0] == 403
    for path in ("view.json", "export.csv", "stream"):
        assert lab.call(path)[0] == 401, path
        assert lab.call(path, token=lab.code("s001"))[0] == 401, path
    assert lab.call("view.json", headers={"Authorization": f"Bearer {lab.token}"})[0] == 200
    status, page, headers = lab.call("", token=lab.token)
    assert status == 200 and "<h1>Lab week1</h1>" in page
    assert "script-src 'self';" in headers["Content-Security-Policy"] and "<script>" not in page  # none inline
    connection = http.client.HTTPConnection("127.0.0.1", lab.port, timeout=10)
    connection.request("GET", f"/?token={lab.token}")
    answer = connection.getresponse()
    assert (answer.status, answer.getheader("Location")) == (303, "./")  # the token leaves the address bar
    assert answer.getheader("Set-Cookie").startswith(f"lab_instructor={lab.token};")
    assert "httponly" in answer.getheader("Set-Cookie").lower() and "samesite=strict" in \
        answer.getheader("Set-Cookie").lower()
    connection.close()


def test_learner_text_stays_text_in_the_csv_and_purge_deletes_the_session(tmp_path):
    lab = LabServer(tmp_path, session="html", roster=False).start()
    try:
        words = '=HYPERLINK("http://x")<script>alert(1)</script>'
        event = an_event(mistakes=[{"id": "x", "words": words}])
        assert lab.call("api/events", {"events": [event]}, code=lab.code("someone"))[0] == 200
        status, text, headers = lab.call("export.csv", token=lab.token)
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        row = list(csv.DictReader(io.StringIO(text)))[-1]
        assert row["learner"] == "someone" and row["mistakes"] == "'" + words
        view = lab.wait_for(lambda v: v["mistakes"])
        assert view["mistakes"][0]["words"] == words  # as text: the page puts it in with textContent
    finally:
        lab.stop()
    listed = subprocess.run(lab.command("sessions"), cwd=PROJECT, capture_output=True, text=True, check=True)
    assert listed.stdout == "html\t1 event(s)\n"
    purged = subprocess.run(lab.command("purge", "--session", "html"), cwd=PROJECT, capture_output=True, text=True,
                            check=True)
    assert purged.stdout == "lab purge: 1 event(s) of session html deleted\n"
    assert subprocess.run(lab.command("sessions"), cwd=PROJECT, capture_output=True, text=True).stdout == ""


def test_bad_input_to_the_commands_says_what_was_expected(tmp_path):
    lab = LabServer(tmp_path, roster=False)
    (tmp_path / "names.csv").write_text("name,email\nAda,ada@example.org\n")
    (tmp_path / "odd.csv").write_text("id,name\nada lovelace,Ada\n")
    for words, said in [
            (("codes", str(tmp_path / "names.csv")), "columns ['name', 'email']; expected a header with id"),
            (("codes", str(tmp_path / "odd.csv")), "learner id 'ada lovelace': expected 1 to 64 letters, digits"),
            (("serve", "--session", "week 1"), "--session 'week 1': expected 1 to 64 letters, digits"),
            (("export", "--session", "w1", "--db", "mysql://x"), "--db mysql://x: unknown kind of database")]:
        done = subprocess.run(lab.command(*words), cwd=PROJECT, capture_output=True, text=True)
        assert done.returncode == 2 and said in done.stderr and not done.stdout, (words, done.stderr)


def test_the_catalogues_words_are_shown_and_the_projector_shows_no_learners_words(tmp_path):
    lab = LabServer(tmp_path, session="words", roster=False).start()
    try:
        sent = [an_event("linear_forward", mistakes=[{"id": "product_order", "words": "copy this: Z = W @ A"}]),
                an_event("relu", mistakes=[{"id": "unknown_here", "words": "Bob, see me"}],
                         problems=["wrong shape"]),
                an_event("sigmoid", mistakes=[], problems=["wrong values", "Bob, see me"])]
        for index, event in enumerate(sent):
            assert lab.call("api/events", {"events": [event]}, code=lab.code(f"l{index}"))[0] == 200
        words = {row["function"]: row["words"] for row in lab.wait_for(lambda v: len(v["mistakes"]) == 3)["mistakes"]}
        assert words == {"linear_forward": "Z = W A: W (n^[l], n^[l-1]) comes first and A (n^[l-1], m) second in "
                                           "the matrix product",
                         "relu": "Bob, see me", "sigmoid": "a mistake the checks do not name: wrong values, Bob, see me"}
        shown = {row["function"]: row["words"] for row in lab.view(projector=1)["mistakes"]}
        assert shown == dict(words, relu="a mistake the checks do not name",
                             sigmoid="a mistake the checks do not name: wrong values")
    finally:
        lab.stop()


def test_a_hubs_users_get_the_code_of_their_hub_name(lab):
    spawner = types.SimpleNamespace(user=types.SimpleNamespace(name="s003"))
    value = codes.hub_environment(lab.url, lab.folder)(spawner)
    assert value == f"{lab.url} {lab.code('s003')}"
    assert lab.call("api/hello", code=value.split()[1])[1] == {"learner": "s003", "session": "week1"}
