"""How far a long loop has got, said in words while it runs: for the cells that train on your own functions.

    for i in progress(range(num_iterations), "first_iterations"):
        ...

iterates as over range(num_iterations) and shows one line that says which iteration the loop has reached, the
time so far and about how long is left. In Jupyter the line sits under the cell, with a bar beside the words
(the words say all the bar shows); in a terminal it is written on stderr and rewritten in place. It is redrawn
at most once a second, so the loop runs as fast as without it.

When the loop ends, the line says only what ran ("first_iterations: 150 iterations"), exactly what it said
when it started: no times stay in a notebook's stored output, so it is the same on every machine (nbval
compares it). In a terminal the line is wiped. A loop stopped by an error or by an interrupt says where it
stopped. follow(thread, ...) shows the same line for work done in a background thread.
"""
import html
import sys
import time

REFRESH_SECONDS = 1.0  # the line is redrawn at most this often
_open_lines = []  # the lines of loops still running (or stopped by an error): closed when their cell ends


def _kernel_shell():
    """The IPython shell when running in a Jupyter kernel (a notebook), else None (a terminal, a script)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _duration(seconds):
    return f"{seconds:.0f} s" if seconds < 59.5 else f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


class NotebookLine:
    """The line as an output of the running cell, replaced in place (a display with an id)."""

    def __init__(self, text):
        from IPython.display import display
        self.handle = display(self.bundle(text), raw=True, display_id=True)

    @staticmethod
    def bundle(text, done=None, total=None):
        """The line as text and as HTML: a status (role "status") in words; while the loop runs, a bar beside the
        words, hidden from screen readers (the words say all it shows)."""
        bar = "" if done is None else (f'<progress max="{total}" value="{done}" aria-hidden="true" '
                                       f'style="vertical-align: middle"></progress> ')
        return {"text/plain": text,
                "text/html": f'<div class="dnn-progress" role="status">{bar}{html.escape(text)}</div>'}

    def show(self, text, done=None, total=None):
        self.handle.update(self.bundle(text, done, total), raw=True)


class TerminalLine:
    """The line on a terminal's stderr, rewritten in place with a carriage return and wiped at the end; nothing
    where stderr is not a terminal (a log file, a pipe)."""

    def __init__(self, text, stream=None):
        self.stream = sys.stderr if stream is None else stream
        try:
            self.shown = self.stream.isatty()
        except (AttributeError, ValueError):
            self.shown = False
        self.width = 0

    def show(self, text, done=None, total=None):
        """Draw the running line; without `done` (the loop has ended) wipe it."""
        if not self.shown:
            return
        ending = done is None
        self.stream.write("\r" + (" " * self.width + "\r" if ending else text.ljust(self.width)))
        self.stream.flush()
        self.width = 0 if ending else len(text)


class Progress:
    """One loop's line: Progress(total, what) shows it, .update(done) redraws it (at most once a second),
    .close(complete) ends it. `what` names the loop in the line."""

    def __init__(self, total, what="training", refresh=None, line=None):
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError(f"progress: total must be a whole number of iterations >= 0, got {total!r}")
        self.total, self.what = total, str(what)
        self.refresh = REFRESH_SECONDS if refresh is None else refresh
        self.done, self.closed = 0, False
        self.started = time.perf_counter()
        self._next = self.started
        if line is None:
            line = NotebookLine(self.label()) if _kernel_shell() is not None else TerminalLine(self.label())
            _watch_cells()
        self.line = line
        _open_lines.append(self)

    def label(self):
        """What the line says before the loop starts and after it ends: what ran, without a time."""
        return f"{self.what}: {self.total} iteration{'' if self.total == 1 else 's'}"

    def running_text(self, done, elapsed):
        text = f"{self.what}: iteration {done} of {self.total}, {_duration(elapsed)} so far"
        if done:
            text += f", about {_duration(elapsed / done * (self.total - done))} left"
        return text + "."

    def update(self, done):
        """Note that `done` iterations are done; redraw the line if it was last drawn long enough ago."""
        self.done = done
        now = time.perf_counter()
        if now >= self._next and not self.closed:
            self._next = now + self.refresh
            self.line.show(self.running_text(done, now - self.started), done, self.total)

    def close(self, complete=True, text=None):
        """End the line: what ran when the loop is complete, else the iteration it stopped at (or `text`)."""
        if self.closed:
            return
        self.closed = True
        if self in _open_lines:
            _open_lines.remove(self)
        if text is None:
            text = self.label() if complete else f"{self.what}: stopped after {self.done} of {self.total} iterations."
        self.line.show(text)


def progress(iterable, what="training", total=None):
    """Iterate over `iterable` (e.g. range(2500)) while a line says how far the loop has got; `what` names it,
    `total` is the number of iterations (len(iterable) when not given)."""
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            raise TypeError(f"progress: iterable has no length ({type(iterable).__name__}); pass total=, the "
                            f"number of iterations") from None
    line = Progress(total, what)
    done = 0
    try:
        for item in iterable:
            line.update(done)
            yield item
            done += 1
    finally:  # the loop ended, or was left (break, an error in its body) and this generator closed
        line.done = done
        line.close(done >= total)


def follow(thread, done, total, what="training", timeout=None, poll=0.25, line=None):
    """Show the line of work done in a background thread until the thread ends (or `timeout` seconds have
    passed): done() gives the iterations done so far. True when the thread has ended."""
    shown = Progress(total, what, line=line)
    deadline = None if timeout is None else time.perf_counter() + timeout
    while thread.is_alive() and (deadline is None or time.perf_counter() < deadline):
        shown.update(done())
        thread.join(poll if deadline is None else max(0.0, min(poll, deadline - time.perf_counter())))
    shown.done = done()
    if thread.is_alive():
        shown.close(text=f"{shown.what}: still running, at iteration {shown.done} of {total}.")
        return False
    shown.close()
    return True


def close_open_lines(*_):
    """Close the lines of loops that did not end (an error or an interrupt stopped them): each says where."""
    for line in list(_open_lines):
        line.close(complete=False)


_watched = []


def _watch_cells():
    """In a notebook, close the lines left open when a cell ends (once per kernel)."""
    shell = _kernel_shell()
    if shell is not None and shell not in _watched:
        shell.events.register("post_run_cell", close_open_lines)
        _watched.append(shell)
