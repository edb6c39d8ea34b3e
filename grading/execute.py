"""Running a notebook in a fresh kernel, cell by cell, within time limits, logging what happened to each cell."""
import json
import math
import os
import time
from pathlib import Path

from .notebooks import read_notebook, exercise_name, checked_name

INTERRUPT_WAIT = 10  # seconds a kernel has to stop a cell once interrupted

# Grading: the notebook runs in a temporary folder, in a process of its own

class Run:
    """What happened when a notebook ran: the cells that ran (index -> "ok", "error" or "timeout") and, when
    the run stopped early, why and at which cell."""

    def __init__(self, progress_file):
        self.cells, self.stopped, self.stopped_at, self.kernel_group, self.errors = {}, None, None, None, ""
        if Path(progress_file).exists():
            for line in Path(progress_file).read_text().splitlines():
                self.record(json.loads(line))

    def record(self, event):
        if "kernel_group" in event:
            self.kernel_group = event["kernel_group"]
        if "cell" in event:
            self.cells[event["cell"]] = event["status"]
        if "stopped" in event:
            self.stopped, self.stopped_at = event["stopped"], event.get("at")


def _log(progress, **event):
    progress.write(json.dumps(event) + "\n")
    progress.flush()


def execute(notebook, executed, progress_file, cell_timeout, timeout, quick):
    """Run `notebook` in a fresh kernel whose working directory is the current one, cell by cell, logging each
    cell's fate to `progress_file`; write the executed notebook to `executed`. (Run in its own process.)"""
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = read_notebook(notebook)
    wanted = quick_cells(nb) if quick else range(len(nb.cells))
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                            shutdown_kernel="immediate", resources={"metadata": {"path": os.getcwd()}})
    replies = {}  # cell index -> the kernel's status for it ("ok" or "error", even when no traceback is shown)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.update(
        {cell_index: (execute_reply or {}).get("content", {}).get("status")})
    deadline = time.monotonic() + timeout
    with open(progress_file, "a") as progress, client.setup_kernel():
        _log(progress, kernel_group=getattr(client.km.provisioner, "pgid", None))
        for index in wanted:
            cell = nb.cells[index]
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                _log(progress, stopped="the time limit of the whole run", at=index)
                break
            # rounded up: a cell cut short by the whole run's limit ends at or after the deadline, so the run
            # stops at the next cell instead of going on in the second that rounding down would leave
            client.timeout = math.ceil(min(cell_timeout, left))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                _log(progress, cell=index, status="timeout")
                run_sync(client.km.interrupt_kernel)()
                if not _responds(client, cell, INTERRUPT_WAIT):
                    _log(progress, stopped="a cell ran out of time and went on after it was interrupted", at=index)
                    break
                continue
            except DeadKernelError:
                _log(progress, stopped="the kernel died: the notebook crashed it", at=index)
                break
            _log(progress, cell=index, status="ok" if replies.get(index) == "ok" else "error")
    nbformat.write(nb, str(executed))


def _responds(client, cell, seconds):
    """Whether the kernel answers within `seconds` (it does not while `cell` is still running)."""
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient.exceptions import CellTimeoutError
    client.timeout = seconds
    try:
        return client.wait_for_reply(run_sync(ensure_async)(client.kc.kernel_info()), cell) is not None
    except CellTimeoutError:
        return False


def quick_cells(nb):
    """The cells a quick run executes: those before the first exercise (the setup), the exercises and their
    checks; the demonstrations and the training are left out."""
    exercises = [index for index, cell in enumerate(nb.cells) if exercise_name(cell)]
    first = exercises[0] if exercises else len(nb.cells)
    return [index for index, cell in enumerate(nb.cells)
            if index < first or exercise_name(cell) or checked_name(cell)]

