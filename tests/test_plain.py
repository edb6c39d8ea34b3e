"""companion.plain: what crosses the grader's jail and what the student edition stores is plain data, both ways."""
import base64
import json

import numpy as np
import pytest

from companion import plain


def test_plain_data_comes_back_with_its_types():
    value = {"W1": np.arange(6.0).reshape(2, 3).T, "cache": ((np.zeros((2, 0)), 3), [None, True, "relu"]),
             "cost": np.array(0.25), "n": np.int64(7), 1: 2 ** 70, "inf": float("inf")}
    back = plain.decode(plain.encode(value))
    assert back.keys() == value.keys() and type(back["cache"]) is tuple and type(back["cache"][1]) is list
    assert np.array_equal(back["W1"], value["W1"]) and back["cost"].shape == () and type(back["n"]) is np.int64
    assert back[1] == 2 ** 70 and back["inf"] == float("inf") and back["cache"][0][0].shape == (2, 0)


def test_what_is_not_plain_data_is_refused_or_named():
    with pytest.raises(TypeError, match="value of type builtin_function_or_method cannot be stored"):
        plain.to_data({"f": print})
    back = plain.decode(plain.encode({"f": print, "a": np.array([object()])}))
    assert isinstance(back["f"], plain.Other) and back["f"].kind == "builtin_function_or_method"
    assert isinstance(back["a"], plain.Other) and back["a"].kind == "ndarray"


@pytest.mark.parametrize("forged, says", [
    ({"array": ["|O8", [1], base64.b64encode(b"\0" * 8).decode()]}, "expected numbers or booleans"),
    ({"array": ["<f8", [1000000], "AAAA"]}, "expected 8000000"),
    ({"pickle": "gASVAAAA"}, "is not encoded data"),
    ({"dict": [[{"list": []}, 1]]}, "cannot be one"),
    ([1, 2], "a list is not encoded data"),
])
def test_forged_data_is_refused_with_what_was_expected(forged, says):
    with pytest.raises(plain.PlainDataError, match=says):
        plain.decode(json.dumps(forged))


@pytest.mark.parametrize("depth, says", [(80, "nested more than 64 levels deep"), (5000, "not JSON")])
def test_deep_nesting_is_refused_not_a_crash(depth, says):
    text = '{"list": [' * depth + "1" + "]}" * depth
    with pytest.raises(plain.PlainDataError, match=says):
        plain.decode(text)


def test_a_frame_holds_the_same_plain_data_and_refuses_anything_else():
    """pack/unpack, the frames of the calls a jailed function makes: arrays of any strides, 0-d arrays (a cost),
    nested tuples (caches) come back equal and of the same types; a key that is not a str, a frame cut short,
    bytes left over, an array past the frame's end or of objects are refused."""
    import numpy as np
    from companion import plain
    grid = np.arange(12.0).reshape(3, 4)
    value = {"W1": grid.T, "cost": np.array(0.25), "cache": ((grid[:, ::2], np.int8(3)), [True, None, "relu"]),
             "big": 10 ** 30, "inf": float("inf")}
    back = plain.unpack(plain.pack(value))
    assert plain.encode(back) == plain.encode(value) and back["cost"].shape == () and back["W1"].flags.writeable
    with pytest.raises(TypeError, match="not a str"):
        plain.pack({1: "one"})
    frame = plain.pack([grid])
    header = int.from_bytes(frame[:4], "big")
    for forged in (frame[:-1], frame + b"\0", frame[:2], (10 ** 6).to_bytes(4, "big") + frame[4:],
                   frame[:4 + header].replace(b"<f8", b"|O8") + frame[4 + header:]):
        with pytest.raises(plain.PlainDataError):
            plain.unpack(forged)
    forged = b'{"dict":[[1,2]]}'
    with pytest.raises(plain.PlainDataError, match="not a str"):
        plain.unpack(len(forged).to_bytes(4, "big") + forged)
