"""Plain data: nested dicts, lists, tuples, numpy arrays and scalars, numbers, strings and None, as JSON.

One encoding for everything the project stores or sends as data: the student edition's stored checks
(checks_data.json: `to_data`/`from_data`, JSON-ready values) and what crosses the grader's jail (`encode`/
`decode`, JSON text). Decoding builds only these types (no pickles, no code) and checks every array's dtype,
shape and size. `to_data(value)` refuses anything else with a TypeError; `to_data(value, strict=False)`, for
what a hand-in returns, describes it as an `Other` that names its type instead.

It runs on both sides of the jail (the grader encodes the inputs and decodes the results, the runner in the
jail the other way round) and in the student edition, so it imports nothing of the project.

`pack`/`unpack` are the same data as one binary frame, for the calls a jailed function makes to the functions
it builds on (many small calls): a JSON header in which each array is only its dtype and shape, then the
arrays' bytes one after the other, not base64. Both refuse dict keys that are not text (`text_keys`): a key
of the lesson's data is always a name, and integer keys that all hash alike make a dict quadratic to build.
"""
import base64
import json
import math
import os

import numpy as np

TAGS = ("array", "scalar", "tuple", "list", "dict", "int", "float", "other", "buffer")
KINDS = "biufc"  # booleans, signed and unsigned integers, floats, complex numbers: the dtypes allowed
MAX_DEPTH = 64


class Other:
    """A value that is not plain data (a function, an object of a class of its own...): its type and repr."""

    def __init__(self, kind, text):
        self.kind, self.text = kind, text

    def __repr__(self):
        return f"<{self.kind}: {self.text}>"

    def __eq__(self, other):
        return isinstance(other, Other) and (self.kind, self.text) == (other.kind, other.text)

    __hash__ = None


class PlainDataError(ValueError):
    """Raised on data that is not the encoding of plain data."""


def encode(value, strict=False):
    """JSON text for `value` (see to_data)."""
    return json.dumps(to_data(value, strict), allow_nan=False, separators=(",", ":"))


def to_data(value, strict=True):
    """`value` as JSON-ready data that from_data turns back into an equal value of the same types. Anything
    that is not plain data raises a TypeError, or with strict=False becomes an Other."""
    return _encode(value, 0, strict)


def _encode(value, depth, strict, buffers=None):
    if buffers is not None and isinstance(value, np.ndarray) and type(value) is np.ndarray \
            and value.dtype.kind in KINDS:
        buffers.append(value)  # its bytes in C order (tobytes), whatever its strides
        return {"buffer": [value.dtype.str, list(value.shape)]}
    if depth > MAX_DEPTH:
        return _other(value, strict, f"more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) is int:
        return value if abs(value) < 2 ** 53 else {"int": str(value)}
    if isinstance(value, float) and type(value) is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.ndarray) and type(value) is np.ndarray:
        return _encode_array(value) if value.dtype.kind in KINDS else _other(value, strict)
    if isinstance(value, np.generic) and value.dtype.kind in KINDS:
        return {"scalar": _encode_array(np.asarray(value))}
    if type(value) in (list, tuple):
        return {"list" if type(value) is list else "tuple": [_encode(item, depth + 1, strict, buffers)
                                                             for item in value]}
    if type(value) is dict:
        if buffers is not None and not all(type(key) is str for key in value):
            raise TypeError("pack: a dict with a key that is not a str; expected names as keys")
        return {"dict": [[_encode(key, depth + 1, strict), _encode(item, depth + 1, strict, buffers)]
                         for key, item in value.items()]}
    return _other(value, strict)


def _encode_array(array):
    array = np.array(array, order="C", copy=True)
    return {"array": [array.dtype.str, list(array.shape), base64.b64encode(array.tobytes()).decode("ascii")]}


def _other(value, strict, why=""):
    if strict:
        raise TypeError(f"to_data: value of type {type(value).__name__} cannot be stored{why and ': ' + why}; "
                        f"expected arrays, numbers, strings, None, tuples, lists or dicts of them")
    try:
        text = repr(value)[:200]
    except Exception:  # a repr that fails is still described
        text = "(no repr)"
    return {"other": [type(value).__name__[:100], text]}


def decode(text, text_keys=False):
    """The value encoded in the JSON `text`; raises PlainDataError on anything that is not plain data (or,
    with `text_keys`, on a dict key that is not a str)."""
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise PlainDataError(f"not JSON: {str(error)[:200]}") from None
    return _decode(tree, 0, None, text_keys)


def from_data(data):
    """The value to_data made `data` from (new arrays every time); PlainDataError on anything else."""
    return _decode(data, 0)


HEADER = 4  # bytes of a frame's header length


def pack(value):
    """`value` as one binary frame (see the module's docstring); TypeError on anything that is not plain data,
    on a dict key that is not a str, and on non-finite floats or huge ints as JSON cannot hold them (encoded
    as to_data does)."""
    buffers = []
    tree = _encode(value, 0, True, buffers)
    header = json.dumps(tree, allow_nan=False, separators=(",", ":")).encode()
    return b"".join([len(header).to_bytes(HEADER, "big"), header, *(array.tobytes() for array in buffers)])


def unpack(frame):
    """The value in the binary `frame` pack made (new arrays); PlainDataError on anything else, a dict key
    that is not a str included."""
    frame = memoryview(frame)
    size = int.from_bytes(frame[:HEADER], "big") if len(frame) >= HEADER else -1
    if not 0 <= size <= len(frame) - HEADER:
        raise PlainDataError(f"a frame of {len(frame)} bytes with a header of {size}; expected the header inside")
    try:
        tree = json.loads(bytes(frame[HEADER:HEADER + size]))
    except (ValueError, RecursionError) as error:
        raise PlainDataError(f"not JSON: {str(error)[:200]}") from None
    buffers = _Buffers(frame[HEADER + size:])
    value = _decode(tree, 0, buffers, True)
    if buffers.offset != len(buffers.data):
        raise PlainDataError(f"a frame with {len(buffers.data) - buffers.offset} bytes after its arrays; expected none")
    return value


class _Buffers:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def take(self, size):
        if size > len(self.data) - self.offset:
            raise PlainDataError(f"an array of {size} bytes where {len(self.data) - self.offset} are left")
        self.offset += size
        return self.data[self.offset - size:self.offset]


_JSON_SCALARS = (bool, int, float, str, type(None))


def _decode(tree, depth, buffers=None, text_keys=False):
    if type(tree) in _JSON_SCALARS:  # what json.loads makes: these exact types
        return tree
    if depth > MAX_DEPTH + 2:
        raise PlainDataError(f"data nested more than {MAX_DEPTH} levels deep; expected at most {MAX_DEPTH}")
    if type(tree) is dict and len(tree) == 1 and "buffer" in tree and buffers is not None:
        return _decode_buffer(tree["buffer"], buffers)
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if not isinstance(tree, dict) or len(tree) != 1 or next(iter(tree)) not in TAGS:
        seen = f"data with keys {sorted(map(str, tree))}" if isinstance(tree, dict) else f"a {type(tree).__name__}"
        raise PlainDataError(f"{seen} is not encoded data; expected an object with one of {', '.join(TAGS)}")
    (tag, body), = tree.items()
    if tag in ("list", "tuple") and isinstance(body, list):
        items = [_decode(item, depth + 1, buffers, text_keys) for item in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(body, list) and all(isinstance(pair, list) and len(pair) == 2 for pair in body):
        if text_keys and not all(isinstance(key, str) for key, _ in body):
            raise PlainDataError("a dict with a key that is not a str; expected names as keys")
        pairs = [(_decode(key, depth + 1), _decode(item, depth + 1, buffers, text_keys)) for key, item in body]
        try:
            return dict(pairs)
        except TypeError:
            raise PlainDataError("a dict with a key that cannot be one (a list or a dict); expected numbers, "
                                 "strings or tuples as keys") from None
    if tag == "array":
        return _decode_array(body)
    if tag == "buffer" and buffers is not None:
        return _decode_buffer(body, buffers)
    if tag == "scalar":
        return _decode_array(body.get("array") if isinstance(body, dict) else None)[()]
    if tag == "int" and isinstance(body, str) and body.lstrip("-").isdigit() and len(body) < 5000:
        return int(body)
    if tag == "float" and body in ("inf", "-inf", "nan"):
        return float(body)
    if tag == "other" and isinstance(body, list) and len(body) == 2 and all(isinstance(b, str) for b in body):
        return Other(body[0][:100], body[1][:200])
    raise PlainDataError(f"malformed {tag!r} data: {str(body)[:80]}; expected what to_data writes for it")


def _dtype_shape(body):
    if not (type(body) is list and len(body) == 2 and type(body[0]) is str and type(body[1]) is list
            and len(body[1]) <= 64 and all(type(n) is int and 0 <= n < 2 ** 40 for n in body[1])):
        raise PlainDataError(f"a malformed array: {str(body)[:80]}; expected [dtype, shape]")
    dtype = _DTYPES.get(body[0])
    if dtype is None:
        try:
            dtype = np.dtype(body[0])
        except TypeError:
            raise PlainDataError(f"an array of unknown dtype {body[0][:40]!r}") from None
        if dtype.kind not in KINDS or dtype.hasobject or dtype.fields or dtype.subdtype:
            raise PlainDataError(f"an array of dtype {body[0][:40]!r}; expected numbers or booleans")
        if len(_DTYPES) < 64:
            _DTYPES[body[0]] = dtype
    return dtype, tuple(body[1])


_DTYPES = {}  # the dtypes met, by their text: parsed once


def _decode_buffer(body, buffers):
    dtype, shape = _dtype_shape(body)
    raw = buffers.take(math.prod(shape) * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()  # a copy: writable, and the frame can go


def _decode_array(body):
    if not (isinstance(body, list) and len(body) == 3 and isinstance(body[0], str) and isinstance(body[2], str)
            and isinstance(body[1], list) and all(isinstance(n, int) and 0 <= n for n in body[1])):
        raise PlainDataError(f"a malformed array: {str(body)[:80]}; expected [dtype, shape, data in base64]")
    dtype_text, shape, data = body
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        raise PlainDataError(f"an array of unknown dtype {dtype_text[:40]!r}") from None
    if dtype.kind not in KINDS or dtype.hasobject or dtype.fields:
        raise PlainDataError(f"an array of dtype {dtype_text[:40]!r}; expected numbers or booleans")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise PlainDataError(f"an array of shape {tuple(shape)} with {len(raw)} bytes of data; expected "
                             f"{math.prod(shape) * dtype.itemsize}")
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


# ----------------------------------------------------------------------------------------------------------
# Frames over a pipe: 8 bytes of length, then the frame

def send(fd, frame):
    """Write `frame` (bytes) to the file descriptor `fd`, behind its length."""
    data = memoryview(len(frame).to_bytes(8, "big") + frame)
    while data:
        data = data[os.write(fd, data):]


def receive(fd, cap):
    """The next frame from `fd`, or None when it is closed; PlainDataError when its length passes `cap` bytes
    (nothing of it is read then) or it ends before its length."""
    size = _read(fd, 8)
    if size is None:
        return None
    size = int.from_bytes(size, "big")
    if size > cap:
        raise PlainDataError(f"a frame of {size} bytes; expected at most {cap}")
    frame = _read(fd, size)
    if frame is None and size:
        raise PlainDataError(f"a frame that ends before its {size} bytes")
    return frame or b""


def _read(fd, size):
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 22))
        if not chunk:
            if left != size:
                raise PlainDataError(f"a frame that ends after {size - left} of {size} bytes")
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
