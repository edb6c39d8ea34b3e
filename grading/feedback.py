"""Each learner's feedback for a lesson: what went wrong and a hint, never the solution, in words a learner uses.

    OUT/feedback/<student>/<lesson>.md     Markdown, to paste into a message or an LMS comment
    OUT/feedback/<student>/<lesson>.html   one self-contained page (no script, nothing fetched), readable on a phone

Both are rendered from one document (a list of blocks), so they say the same. Everything that comes from the
hand-in (the learner's id, file names, messages) is cleaned (untrusted.py) and escaped for Markdown and HTML.
No internal word reaches a learner: no mistake id, no outcome code ("attempt"), no seed. When a function's own
check passed in the learner's notebook but it fails in grading, the feedback says what differs between the
two (a later cell defining it again, a helper defined in another cell, the cases drawn at grading time).
"""
import ast
import builtins
import dataclasses
import html
import re
from pathlib import Path

from companion.feedback import hints

from .classbook import GRADED, MISSING, UNREADABLE
from .grade import exercise_cell
from .notebooks import checked_name, once, parse
from .untrusted import NAME, PATH, clean

CODE = re.compile(r"np\.|\w\s*[-+*/]?=[^=]|\bfor \w+ in |\bdef |\breturn\b")  # a line to paste, not a shape
RESULT = {  # an outcome as the learner reads it in the table
    "ok": "right", "wrong": "wrong result", "not written": "not written", "out of time": "too slow",
    "memory": "too much memory", "disk": "wrote files", "output": "printed too much", "results": "returned too much",
    "attempt": "blocked", "crashed": "raised an error", "missing": "missing", "did not run": "did not run",
}
WHAT_TO_DO = {  # the hint for a lost point, by outcome: what to look at, never the answer
    "not written": "the exercise cell still holds the stub that raises NotImplementedError: write the function "
                   "in place of those two lines",
    "out of time": "it did not finish in time: look for a loop that never ends, or a loop over the examples "
                   "where one numpy operation on the whole array does the job",
    "memory": "it used far more memory than the exercise needs: look for arrays much larger than its inputs",
    "disk": "the exercise writes no file: remove what writes to files",
    "output": "remove the prints, above all those inside loops",
    "results": "it returned far more than the exercise asks: return only its outputs, of the sizes its docstring "
               "gives",
    "attempt": "the function only computes its result from its arguments: no import of the course's modules, "
               "no network, no files outside its folder, no other programs",
    "missing": "no cell of your notebook defines this function: keep the exercise cell, with its def line, "
               "and write your code in it",
    "did not run": "its cell did not run when the whole notebook ran: restart the kernel and run all the cells "
                   "before handing the notebook in",
}
CHECK_CELL = ("For a wrong result or an error, run the function's check cell in your notebook: it shows which "
              "case fails and how; then compare each step of your code with the lesson's formulas and the shapes "
              "they give. In the notebook, hint('name of the function') gives one more hint each time.")
GROUPED = ("not written", "missing", "did not run")  # told once for all the functions they concern
INTERNAL = re.compile(r"\s*\[\w+\]$|\s*\(seed \d+\)")  # a mistake's id, the seed of the fresh cases
HAND_IN_AGAIN = ("Save it again from Jupyter (File > Save Notebook), check that it opens, and hand it in "
                 "again.")
NOT_ISOLATED_WORDS = "Graded without isolation (--no-jail): the grader ran this hand-in with its own rights."


# ----------------------------------------------------------------------------------------------------------
# What went wrong, and a hint

def without_code(text):
    """The clauses of an explanation that hold no line of code (what follows a colon is often the right line);
    shapes and the lesson's notation stay."""
    clauses = [clause.strip() for clause in re.split(r"(?<=\S)[:;] ", text)]
    kept = [clause for clause in clauses if clause and not CODE.search(clause)]
    return "; ".join(kept)


def mistake_words(name, mistake):
    """A recognised mistake in words (its explanation, without code), never its id."""
    return without_code(hints.EXPLANATIONS.get(name, {}).get(mistake, "")) or "a mistake the checks know"


def what_went_wrong(name, verdict):
    """The learner-facing account of a lost point: the mistake in words, or the comment without internal
    words."""
    _, _, outcome, comment, mistake = verdict
    if outcome == "wrong" and mistake:
        return f"the likely mistake: {mistake_words(name, mistake)}"
    return INTERNAL.sub("", comment.removeprefix("wrong: ")).replace("the jail stopped it", "it was stopped")


def hint(name, verdict):
    """The hint for a lost point: the function's first hint for a wrong result or an error, else what to do
    about its outcome."""
    outcome = verdict[2]
    if outcome in ("wrong", "crashed"):
        return hints.HINTS.get(name, ("compare each step of your code with the lesson's formulas",))[0]
    return WHAT_TO_DO.get(outcome, WHAT_TO_DO["attempt"])


# ----------------------------------------------------------------------------------------------------------
# The learner's notebook: did a function's own check pass there, and what differs from grading

@dataclasses.dataclass
class Check:
    """A graded function in the learner's notebook: its check cell's index, whether its saved output says the
    check passed, the cell of the definition that is graded (the last one before the check, as grading takes
    it), and the names that definition reads."""
    index: int
    passed: bool
    graded: int
    reads: set


def notebook_checks(nb):
    """{graded function: Check} for the functions the notebook checks."""
    found = {}
    for index, cell in enumerate(nb.cells):
        name = checked_name(cell)
        if name:
            printed = "".join(str(output.get("text", "")) for output in cell.get("outputs", ())
                              if output.get("output_type") == "stream")
            passed = bool(re.search(rf"^{re.escape(name)}: (the check|all \d+ checks) passed", printed, re.M))
            found[name] = Check(index, passed, None, set())
    for name, check in found.items():
        check.graded, _ = exercise_cell(nb, name)  # the definition grading takes, by grading's own rule
        check.reads = _reads(nb.cells[check.graded].source) if check.graded is not None else set()
    return found


def _reads(source):
    """The names a cell's code reads and does not define itself (nor builtins)."""
    tree = parse(source)
    if tree is None:
        return set()
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return read - _defined(tree) - set(dir(builtins))


def _defined(tree):
    """The names a cell's code binds anywhere (functions, classes, assignments, imports, arguments)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def top_level_names(nb):
    """{name: index of the last cell defining it at the top level}, over the notebook's code cells."""
    found = {}
    for index, cell in enumerate(nb.cells):
        found.update(dict.fromkeys(once(_top_level_names, cell.source) if cell.cell_type == "code" else (), index))
    return found


def _top_level_names(source):
    """The names a cell's code defines at its top level (functions, classes, assignments to a name), in order."""
    tree = parse(source)
    names = []
    for node in tree.body if tree else ():
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return names


def what_differs(name, verdict, check, defined):
    """Why a function whose check passed in the notebook fails in grading, as sentences (None when its check
    did not pass there, or the point was not lost on a result). `defined`: top_level_names of the notebook."""
    if check is None or not check.passed or verdict[2] not in ("wrong", "crashed"):
        return None
    below = -1 if check.graded is None else check.graded
    helpers = sorted(other for other in check.reads if other != name and defined.get(other, -1) > below
                     and f"'{other}'" in verdict[3])
    if helpers:
        listed = ", ".join(helpers)
        return [f"Your notebook's check of {name} passed, but it uses {listed}, defined in a cell below its "
                f"exercise cell. Grading gives an exercise the helpers defined in the cells above it, as they "
                f"stand when it runs top to bottom: move {listed} above the exercise cell, or into it."]
    return [f"Your notebook's check of {name} passed, but grading also runs it on inputs of other sizes, drawn "
            f"when it is graded: look for sizes or values written into the code. If you changed the function "
            f"after its check ran, run the check again."]


# ----------------------------------------------------------------------------------------------------------
# The document: blocks, rendered as Markdown or HTML

def document(entry, checks=None, defined=None, isolated=True):
    """The blocks of one learner's feedback for one lesson: (kind, content), kind one of title, warning, p,
    h2, ul, table, item. Spans: str (plain text) or ("code", text) or ("b", text)."""
    checks, defined = checks or {}, defined or {}
    blocks = [("title", f"{entry.lesson}: {_number(entry.score)} / {_number(entry.total)}")]
    if not isolated:
        blocks.append(("warning", [NOT_ISOLATED_WORDS]))
    who = ["Learner ", ("code", clean(entry.student, NAME))]
    if entry.status == MISSING:
        blocks.append(("p", who + [": no hand-in of this lesson was found."]))
    else:
        blocks.append(("p", who + [", hand-in ", ("code", clean(entry.handin, PATH)), "."]))
    if entry.status not in (GRADED, MISSING):
        why = clean(entry.result["why"]).removeprefix("not graded: ")
        blocks.append(("p", [f"It was not graded: {why}." + (f" {HAND_IN_AGAIN}" if entry.status == UNREADABLE
                                                              else "")]))
    if entry.result and entry.result.get("notes"):
        blocks.append(("ul", [[clean(note)] for note in entry.result["notes"]]))
    if entry.status == GRADED:
        blocks += _graded(entry, checks, defined)
    for relative, other in entry.others:
        shown = (f"graded {_number(other['score'])}/{_number(other['total'])}" if other["status"] == GRADED
                 else clean(other["status"], NAME))
        blocks.append(("p", ["Also handed in for this lesson: ", ("code", clean(relative, PATH)),
                             f" ({shown}); {entry.counts}."]))
    if entry.notes:
        blocks += [("h2", "Changes to your score"), ("ul", [[clean(note)] for note in entry.notes])]
    return blocks


def _graded(entry, checks, defined):
    verdicts = entry.result["verdicts"]
    rows = [[("code", name), f"{_number(points * entry.weight(name))}/{_number(entry.weight(name))}",
             RESULT.get(outcome, "not right") +
             (" (adjusted)" if any(item.function == name for item in entry.adjustments) else "")]
            for name, points, outcome, _, _ in verdicts]
    blocks = [("table", (["function", "points" if entry.weights else "point", "result"], rows))]
    lost = [verdict for verdict in verdicts if verdict[1] == 0]
    if not lost:
        return blocks
    blocks.append(("h2", "What to look at again"))
    unexplained = False
    for verdict in (verdict for verdict in lost if verdict[2] not in GROUPED):
        name = verdict[0]
        differs = what_differs(name, verdict, checks.get(name), defined)
        lines = [["What went wrong: " + clean(what_went_wrong(name, verdict))]]
        lines += [["Hint: " + hint(name, verdict)]] * (verdict[2] in ("wrong", "crashed"))
        lines += [[sentence] for sentence in differs or ()]
        unexplained |= verdict[2] in ("wrong", "crashed") and not differs
        blocks.append(("item", (name, lines)))
    for outcome in GROUPED:
        names = [verdict[0] for verdict in lost if verdict[2] == outcome]
        if names:
            blocks.append(("p", [("b", f"{RESULT[outcome].capitalize()}:"), " ", *_listed(names),
                                 f". {WHAT_TO_DO[outcome][0].upper()}{WHAT_TO_DO[outcome][1:]}."]))
    advice = sorted({verdict[2] for verdict in lost} - set(GROUPED) - {"wrong", "crashed"}, key=list(RESULT).index)
    blocks += [("p", [("b", f"{RESULT[outcome].capitalize()}:"), f" {WHAT_TO_DO[outcome]}."]) for outcome in advice]
    if unexplained:
        blocks.append(("p", [CHECK_CELL]))
    return blocks


def _listed(names):
    """Function names as code spans, separated by commas."""
    spans = []
    for index, name in enumerate(names):
        spans += [", "] * bool(index) + [("code", name)]
    return spans


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


_MARKDOWN = re.compile(r"([\\`*\[\]<>|~#&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")  # a _ inside a word is text


def _escaped(text):
    return _MARKDOWN.sub(r"\\\1", text)


def _md(span):
    if isinstance(span, tuple):
        kind, text = span
        return f"`{text.replace('`', chr(39))}`" if kind == "code" else f"**{_escaped(text)}**"
    return _escaped(span)


def markdown(blocks):
    """The feedback as Markdown, every text escaped (a learner's words cannot make a link, a table or code)."""
    out = []
    for kind, content in blocks:
        if kind == "title":
            out.append(f"# {_md(content)}")
        elif kind == "h2":
            out.append(f"## {_md(content)}")
        elif kind == "warning":
            out.append("**" + "".join(map(_md, content)) + "**")
        elif kind == "p":
            out.append("".join(map(_md, content)))
        elif kind == "ul":
            out.append("\n".join("- " + "".join(map(_md, spans)) for spans in content))
        elif kind == "table":
            header, rows = content
            lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
            lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif kind == "item":
            name, lines = content
            out.append(f"**{name}** (0/1)\n" + "\n".join("- " + "".join(map(_md, spans)) for spans in lines))
    return "\n\n".join(out) + "\n"


STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;
margin:0 auto;max-width:44rem;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.45rem;margin:.2rem 0 .6rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
code{font:.92em ui-monospace,Menlo,Consolas,monospace;background:#f2f2f2;border-radius:3px;padding:0 .2em;
overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;vertical-align:top;
border-bottom:1px solid #ddd}th{border-bottom:2px solid #999}td:nth-child(2),th:nth-child(2){white-space:nowrap}
.lost{color:#a3140f;font-weight:600}.right{color:#176b2c}
.item{border-left:4px solid #a3140f;padding:.1rem .8rem;margin:1rem 0;background:#fbf4f4}
.item h3{font-size:1rem;margin:.4rem 0}.item ul{padding-left:1.1rem;margin:.3rem 0}
.warning{background:#fff3cd;border-left:4px solid #b58100;padding:.5rem .8rem}
""".strip()


def _html(span):
    if isinstance(span, tuple):
        tag = "code" if span[0] == "code" else "strong"
        return f"<{tag}>{html.escape(span[1]).replace('_', '_<wbr>')}</{tag}>"  # long names break after a _
    return html.escape(span)


def page(blocks):
    """The feedback as one HTML page: its style inline, no script, nothing fetched (a policy forbids it)."""
    body, title = [], ""
    for kind, content in blocks:
        if kind == "title":
            title = content
            body.append(f"<h1>{html.escape(content)}</h1>")
        elif kind == "h2":
            body.append(f"<h2>{html.escape(content)}</h2>")
        elif kind == "warning":
            body.append(f'<p class="warning">{"".join(map(_html, content))}</p>')
        elif kind == "p":
            body.append(f"<p>{''.join(map(_html, content))}</p>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{''.join(map(_html, spans))}</li>" for spans in content) + "</ul>")
        elif kind == "table":
            header, rows = content
            cells = "".join(f"<th>{html.escape(name)}</th>" for name in header)
            lines = [f"<tr>{cells}</tr>"]
            for row in rows:
                mark = "right" if row[1].startswith("1") else "lost"
                lines.append(f'<tr class="{mark}">' + "".join(f"<td>{_html(cell)}</td>" for cell in row) + "</tr>")
            body.append(f"<table>{''.join(lines)}</table>")
        elif kind == "item":
            name, lines = content
            items = "".join(f"<li>{''.join(map(_html, spans))}</li>" for spans in lines)
            body.append(f'<section class="item"><h3><code>{html.escape(name)}</code> (0/1)</h3><ul>{items}</ul>'
                        f"</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}\n</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def notebook_facts(entry):
    """(notebook_checks, top_level_names) of the hand-in that counts ({}, {} when it cannot be read)."""
    from .notebooks import reading_limit
    from .reading import read_handin
    if entry.status != GRADED or entry.handin_object is None:
        return {}, {}
    try:
        with reading_limit():  # read as grading read it: within the same limits
            nb = read_handin(entry.handin_object.path)
            return notebook_checks(nb), top_level_names(nb)
    except Exception:  # read and graded before; changed or removed since: the feedback goes without
        return {}, {}


def folder_name(student):
    """The name of a learner's feedback folder: the id itself when it is a plain file name; else the id with
    "/", "\\", "%", control characters and a leading "." written as %XX (so "." and ".." are "%2E" and
    "%2E."), which no two ids share. An id whose name would pass 200 bytes is cut, with a digest of the whole."""
    import hashlib
    name = "".join(f"%{ord(c):02X}" if c in "/\\%" or ord(c) < 32 or ord(c) == 127 else c for c in student)
    name = ("%2E" + name[1:]) if name.startswith(".") else name
    if len(name.encode("utf-8", "surrogatepass")) > 200 or not name:  # "": the feedback folder itself
        name = name[:100] + "%" + hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return name


def folder(out, student):
    """OUT/feedback/<the learner's folder>: always a folder right inside OUT/feedback, whatever the id."""
    root = Path(out) / "feedback"
    path = root / folder_name(student)
    if path.parent != root or path.name in ("", ".", "..") or "/" in path.name:
        raise ValueError(f"feedback folder for learner id {student!r}: {path}; expected a folder in {root}")
    return path


def write(entry, folder, isolated):
    """Write the Markdown and HTML feedback of one entry into `folder`; return the two paths."""
    from .classbook import write_atomic
    blocks = document(entry, *notebook_facts(entry), isolated=isolated)
    written = []
    for suffix, text in ((".md", markdown(blocks)), (".html", page(blocks))):
        path = folder / f"{entry.lesson}{suffix}"
        write_atomic(path, text)
        written.append(path)
    return written
