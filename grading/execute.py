"""Running a whole notebook in a fresh kernel, cell by cell, within time limits: the grader's full run.

    python -I execute.py FOLDER NOTEBOOK CELL_TIMEOUT TIMEOUT       (run in the jail, see jail.py)

It copies FOLDER (the notebook and what it needs, read-only in the jail) into the current folder, runs the
notebook there cell by cell and writes, as JSON lines on the stdout it started with, what happened to each
cell ({"cell": index, "status": "ok" | "error" | "timeout"}), why the run stopped early when it did
({"stopped": reason, "at": index}) and at the end the executed notebook ({"executed": notebook}). What the
notebook prints goes to stderr. It imports nothing of the project, and the grader only reads these lines:
which cells ran. The grade itself comes from the exercises' code, checked one by one (verdict.py).
"""
import json
import math
import os
import shutil
import sys
import time

RESULTS_FD = os.dup(1)  # the lines go here; the kernel and the notebook's output get stderr
os.dup2(2, 1)
INTERRUPT_WAIT = 10  # seconds a kernel has to stop a cell once interrupted (at most half the cell's time limit)


def log(**event):
    data = (json.dumps(event) + "\n").encode()
    while data:
        data = data[os.write(RESULTS_FD, data):]


def execute(notebook, cell_timeout, timeout):
    """Run `notebook` in a fresh kernel whose working directory is the current one, logging each cell's fate."""
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from traitlets.config import Config

    nb = nbformat.read(notebook, as_version=4)
    # the kernel and this client talk over Unix sockets in the current folder: the jail refuses every other kind
    ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(os.getcwd(), "kernel")}})
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3", config=ipc,
                            shutdown_kernel="immediate", resources={"metadata": {"path": os.getcwd()}})
    replies = {}  # cell index -> the kernel's status for it ("ok" or "error", even when no traceback is shown)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.update(
        {cell_index: (execute_reply or {}).get("content", {}).get("status")})
    deadline = time.monotonic() + timeout
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                log(stopped="the time limit of the whole run", at=index)
                break
            # rounded up: a cell cut short by the whole run's limit ends at or after the deadline, so the run
            # stops at the next cell instead of going on in the second that rounding down would leave
            client.timeout = math.ceil(min(cell_timeout, left))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                log(cell=index, status="timeout")
                run_sync(client.km.interrupt_kernel)()
                if not _responds(client, cell, max(1, min(INTERRUPT_WAIT, cell_timeout // 2))):
                    log(stopped="a cell ran out of time and went on after it was interrupted", at=index)
                    break
                continue
            except DeadKernelError:
                log(stopped="the kernel died: the notebook crashed it", at=index)
                break
            log(cell=index, status="ok" if replies.get(index) == "ok" else "error")
    log(executed=nbformat.writes(nb))


def _responds(client, cell, seconds):
    """Whether the kernel answers within `seconds` (it does not while `cell` is still running)."""
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient.exceptions import CellTimeoutError
    client.timeout = seconds
    try:
        return client.wait_for_reply(run_sync(ensure_async)(client.kc.kernel_info()), cell) is not None
    except CellTimeoutError:
        return False


def main(folder, notebook, cell_timeout, timeout):
    for entry in os.scandir(folder):  # the folder itself is the jail's, and keeps its owner and mode
        if entry.is_dir():
            shutil.copytree(entry.path, entry.name, copy_function=shutil.copy)
        else:
            shutil.copy(entry.path, entry.name)
    sys.path.insert(0, os.getcwd())
    execute(notebook, int(cell_timeout), int(timeout))
    os._exit(0)


if __name__ == "__main__":
    main(*sys.argv[1:])
