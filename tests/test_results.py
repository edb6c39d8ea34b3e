"""What a jail sends back is the hand-in's data: whatever it is (well-formed JSON with a 4400-digit integer, bad
base64, an array of 100 dimensions, arguments of another shape, an exception class named with 40 MB or with
bytes that are not text), it is that hand-in's crash, never the grader's."""
import json

import pytest

import testCases
from companion import plain
from grading.jail import Finished, Limits
from grading.verdict import judge_run

NAME = "linear_forward"
CASES = testCases.cases(NAME, fresh=1)
SENT = [case.inputs() for case in CASES]
RIGHT = [{"got": case.expected(), "args": list(args)} for case, args in zip(CASES, SENT)]


def sent_back(data):
    """A finished run whose results are `data` (bytes, or text, or plain data to encode as the runner does)."""
    if not isinstance(data, (bytes, str)):
        data = plain.encode(data, strict=False)
    return Finished("ok", 0, data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"), "", 0.1)


def with_first(run):
    return {"defined": True, "cases": [run] + RIGHT[1:], "events": []}


def error(**fields):
    return {"error": {"type": "ValueError", "module": "builtins", "args": [], "text": "", "line": None,
                      "kind": "error", **fields}}


HOSTILE = {
    "a 4400-digit integer": '{"dict":[["defined",true],["cases",{"list":[{"dict":[["got",' + "9" * 4400 + ']]}]}]]}',
    "a 4400-digit tagged integer": with_first({"got": {"int": "9" * 4400}}),
    "bad base64": '{"dict":[["defined",true],["cases",{"list":[{"dict":[["got",{"array":["<f8",[2],"@@@"]}]]}]}]]}',
    "100 dimensions": '{"dict":[["defined",true],["cases",{"list":[{"dict":[["got",{"array":["<f8",' +
                      json.dumps([1] * 100) + ',"AAAAAAAA8D8="]}]]}]}]]}',
    "arguments of another shape": with_first({"got": RIGHT[0]["got"], "args": [7, {"x": 1}, [1, [2]]]}),
    "nested too deep": "[" * 100_000 + "]" * 100_000,
    "not UTF-8": b'{"dict":[["defined",true],["cases",{"list":[]}]]}\xff\xfe',
    "an exception named with 40 MB": with_first(error(type="E" * (40 << 20), text="x" * (1 << 20))),
    "an exception named with bytes that are not text": with_first(error(type="\udcff\udcfe\x1b[2J", module="\udcff")),
    "an exception with arguments of every kind": with_first(error(args=[{"a": 1}, [1, 2], None, 10 ** 30])),
    "a line that is not one": with_first(error(line=[["x"], {"y": 1}])),
}


@pytest.mark.parametrize("what", HOSTILE)
def test_hostile_results_are_the_hand_ins_crash(what):
    verdict = judge_run(Limits(), NAME, CASES, SENT, sent_back(HOSTILE[what]))
    assert verdict.points == 0 and verdict.outcome in ("crashed", "wrong"), verdict


def test_the_right_results_still_score():
    assert judge_run(Limits(), NAME, CASES, SENT, sent_back({"defined": True, "cases": RIGHT, "events": []})).points == 1
