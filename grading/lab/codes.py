"""The lab's secret, the learners' join codes and the instructor's token.

A join code is the learner's id, a dash and the first CODE_LETTERS letters of an HMAC-SHA256 of that id keyed
with the lab's secret (base32, lower case): the server checks it without storing any code, and nobody who
does not hold the secret can make the code of another learner. The instructor's token is an HMAC of a fixed
word with the same secret. The secret is a file of 32 random bytes (hex), made on first use, readable by its
owner only; a new secret makes every code and the token new.
"""
import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

CODE_LETTERS = 16
LEARNER_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")


class CodeError(ValueError):
    pass


def secret(folder):
    """The lab's secret kept in folder/secret, made when missing."""
    path = Path(folder) / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise CodeError(f"{path}: not a lab secret; expected 64 hex digits (delete it to make a new one)")
    return bytes.fromhex(text)


def _mac(key, word):
    digest = hmac.new(key, word.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()


def learner_code(key, learner):
    """The join code of the learner id `learner`."""
    if not LEARNER_ID.fullmatch(learner):
        raise CodeError(f"learner id {learner!r}: expected 1 to 64 letters, digits or . _ @ + -")
    return f"{learner}-{_mac(key, 'learner:' + learner)[:CODE_LETTERS]}"


def learner_of(key, code):
    """The learner id a join code is for, or None when it is not a code of this lab."""
    if not isinstance(code, str) or "-" not in code or len(code) > 100:
        return None
    learner, _, mac = code.rpartition("-")
    if not LEARNER_ID.fullmatch(learner):
        return None
    return learner if hmac.compare_digest(learner_code(key, learner), code) else None


def instructor_token(key):
    return _mac(key, "instructor")[:32]


def is_instructor(key, token):
    return isinstance(token, str) and hmac.compare_digest(instructor_token(key), token)


def hub_environment(url, folder):
    """For a JupyterHub's configuration: `c.Spawner.environment = {"DNN_LAB": hub_environment(URL, FOLDER)}` gives
    every user's server DNN_LAB="URL CODE" with the join code of their hub name, so each kernel joins as its hub
    user. (A value of Spawner.environment may be a callable of the spawner, returning a string.)"""
    key = secret(folder)
    return lambda spawner: f"{url} {learner_code(key, spawner.user.name)}"
