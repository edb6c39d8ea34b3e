"""Reading a hand-in: its file is parsed as a notebook in a child process under a time and memory limit, and
only what the grader reads of it comes back (the kind of each cell, the code of its code cells and what they
printed), so that a hostile file (half a million cells, megabytes of nested metadata) costs the grader's own
process a bounded amount of time and memory. The project's own notebooks are trusted: read_notebook reads
them in this process, whole.
"""
import hashlib
import os
from pathlib import Path

from .notebooks import BOUNDED_OUTPUT_MB, MAX_NOTEBOOK_MB, bounded

READ_NOTEBOOK_SECONDS = 5  # a lesson's hand-in, even with its pictures, is read in a few milliseconds
READ_NOTEBOOK_MB = 1024    # ... with a few MB more memory than its file's size
MAX_CELLS = 4096           # a lesson has about 60 cells
PRINTED_KB = 64            # what a code cell printed, its end kept (where a check says whether it passed)
KEPT_MB = 64               # what is kept of the hand-ins read last, by content (a class's feedback and its
_KEPT, _KEPT_SIZE = {}, {"all": 0}  # integrity report read each hand-in again; a lesson's is about 30 KB)


class UnreadableNotebook(ValueError):
    """A hand-in that is not read as a notebook. `why` says so without the file's name (what was seen, and
    what was expected); the message starts with the file's name."""

    def __init__(self, path, why):
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


def read_handin(path, content=None):
    """The notebook handed in at `path` (or its bytes `content`), as the grader reads it: nbformat 4, each
    cell with its `cell_type`, the `source` of the code cells (other cells': empty) and, for a code cell, what
    it printed (its stream outputs, joined, the last PRINTED_KB) as one stream output. Parsed in a child
    process under READ_NOTEBOOK_SECONDS and READ_NOTEBOOK_MB; UnreadableNotebook when it cannot be."""
    import nbformat  # imported here, not in each child
    if content is None:
        with open(path, "rb") as file:
            status = os.fstat(file.fileno())  # its size, and the space it takes on disk, before it is read
            size = max(status.st_size, status.st_blocks * 512)
            if size > MAX_NOTEBOOK_MB << 20:
                raise UnreadableNotebook(path, _too_large(size))
            content = file.read((MAX_NOTEBOOK_MB << 20) + 1)
    if len(content) > MAX_NOTEBOOK_MB << 20:
        raise UnreadableNotebook(path, _too_large(len(content)))
    digest = hashlib.sha256(content).hexdigest()
    kept = _KEPT.pop(digest, None)
    found, size = kept or _read(content)
    _KEPT[digest] = found, size  # the most recent last
    _KEPT_SIZE["all"] += size - (kept[1] if kept else 0)
    while _KEPT_SIZE["all"] > KEPT_MB << 20:
        _KEPT_SIZE["all"] -= _KEPT.pop(next(iter(_KEPT)))[1]
    if isinstance(found, str):
        raise UnreadableNotebook(path, found)
    return nbformat.from_dict(found)


def _too_large(size):
    return f"not read: it is {size / 2 ** 20:.0f} MB; expected a notebook of at most {MAX_NOTEBOOK_MB} MB"


def _read(content):
    """(what the grader reads of a notebook's bytes (a dict) or why it is not read (text), about its size in
    memory)."""
    found = bounded(_slim, content, READ_NOTEBOOK_SECONDS, READ_NOTEBOOK_MB)
    if isinstance(found, dict):
        return found, sum(200 + len(cell["source"]) + sum(len(output["text"]) for output in cell.get("outputs", ()))
                          for cell in found["cells"])
    return _why_not(found), 200


def _why_not(found):
    if isinstance(found, str):
        return found
    kind, what = found
    return {"time": f"not read: reading it as a notebook took more than {READ_NOTEBOOK_SECONDS} s; expected a "
                    f"lesson's hand-in, read in well under a second",
            "memory": f"not read: reading it as a notebook needed more than {READ_NOTEBOOK_MB} MB of memory; "
                      f"expected a lesson's hand-in, read with a few MB",
            "output": f"not read: its code and printed text come to more than {BOUNDED_OUTPUT_MB} MB; "
                      f"expected a lesson's hand-in, well under 1 MB"
            }.get(kind, f"not a notebook ({what.splitlines()[0][:160] if what else kind})")


def _slim(content):
    """(In the child) the notebook in `content` (bytes) as read_handin gives it, as plain data, or why it is
    not read (text). What is not a notebook raises the error nbformat raises."""
    import nbformat
    nb = nbformat.convert(nbformat.reader.reads(content.decode("utf-8")), 4)  # not validated: it is not kept
    cells = nb.get("cells")
    if not isinstance(cells, list):
        return "not a notebook (its cells are not a list; expected a list of cells)"
    if len(cells) > MAX_CELLS:
        return f"not read: it holds {len(cells)} cells; expected at most {MAX_CELLS} (a lesson has about 60)"
    kept = []
    for index, cell in enumerate(cells):
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if not isinstance(kind, str) or not isinstance(source, str):
            return f"not a notebook (cell {index} has no cell_type or no source text; expected a cell of nbformat 4)"
        if kind != "code":
            kept.append({"cell_type": kind, "metadata": {}, "source": ""})
            continue
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        printed = "".join(output["text"] for output in outputs if isinstance(output, dict)
                          and output.get("output_type") == "stream" and isinstance(output.get("text"), str))
        printed = printed[-PRINTED_KB << 10:]
        kept.append({"cell_type": "code", "metadata": {}, "source": source, "execution_count": None,
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []})
    return {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": kept}
