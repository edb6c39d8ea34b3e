"""companion/lab.py, the learner's side of the live lab, in this process: what joining says, what an event
holds (never code), a queue that stays bounded while the lab is away, and nothing at all when not joined."""
import collections

import pytest

from companion import lab as client
from test_browser import free_port
from test_lab import LabServer

Mistake = collections.namedtuple("Mistake", "id explanation recognise")


@pytest.fixture(autouse=True)
def not_joined():
    client.leave()
    yield
    client.leave()


def test_join_refuses_what_is_not_an_address_or_a_code():
    with pytest.raises(ValueError, match=r"join: url='127.0.0.1:8765'; expected the lab's address"):
        client.join("127.0.0.1:8765", "s001-abc")
    with pytest.raises(ValueError, match=r"join: code=None; expected the join code your instructor gave you"):
        client.join("http://127.0.0.1:8765/", None)


def test_a_code_the_lab_does_not_know_joins_nothing(tmp_path, capsys):
    lab = LabServer(tmp_path, roster=False).start()
    try:
        client.join(lab.url, "s001-" + "a" * 16)
        assert capsys.readouterr().out == (f"lab: {lab.url} does not know the join code 's001-aaaaaaaaaaaaaaaa': ask "
                                           f"your instructor for yours. Nothing is sent.\n")
        assert client._lab is None
        asked = []
        client.checked("relu", asked.append, True, [], None)  # not joined: nothing, silently
        assert asked == []  # not even the lesson is looked up
        assert client.flush(0) is True
    finally:
        lab.stop()


def test_away_the_queue_is_kept_bounded_and_an_event_holds_no_code(capsys, monkeypatch):
    monkeypatch.setattr(client, "QUEUE", 5)
    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    client.join(url, "s001-abcdefgh12345678")
    assert capsys.readouterr().out.startswith(f"Joined the lab at {url} (it cannot be reached now: your checks are "
                                              f"sent when it can). Each check shares its function")
    found = ["raised NameError: name 'secret' is not defined (line 3: Z = W @ secret) on the lesson's inputs",
             "wrong shape: Z should have shape (3, 2), got (2, 3) on inputs of other sizes"]
    for _ in range(8):
        client.checked("linear_forward", lambda name: "its notebook", True, found, Mistake("product_order", "Z = W A", None))
    queue = list(client._lab.queue)
    assert len(queue) == 5 and [event["attempt"] for event in queue] == [4, 5, 6, 7, 8]
    assert queue[-1]["problems"] == ["raised NameError", "wrong shape"]
    assert queue[-1]["mistakes"] == [{"id": "product_order", "words": "Z = W A"}] and "notebook" not in queue[-1]
    assert "secret" not in repr(queue)
    assert client.flush(0.2) is False
    client.leave()
    assert capsys.readouterr().out == "Left the lab: your checks are no longer shared.\n"
    assert client.flush(0) is True
