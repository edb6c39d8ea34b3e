"""OUT/integrity.html: the evidence of the integrity report, for a person to check before they say anything to a
learner. Each pair reported for their code comes with the statements found alike, side by side, as each learner
wrote them (their own names, comments and order); identical files are listed. One self-contained page: no
script, nothing fetched, every learner's text escaped."""
import html

from ..untrusted import clean

STYLE = """body{font-family:system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;line-height:1.5;
color:#111;background:#fff}
table{border-collapse:collapse;width:100%;margin:0 0 2rem}caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #555;padding:.25rem .5rem;vertical-align:top;text-align:left}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.9rem}"""
SHOWN, ROWS = 500, 200  # pairs shown in full (the rest are in integrity.csv), fragments shown of each


def _escape(value):
    return html.escape(clean(value, 64 << 10, lines=True))


def html_page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_escape(title)}</title>\n'
            f'<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n')


def render(found, evidence):
    """The page, from the report's lines and {(lesson, student, other): [(function, fragment, fragment)]}."""
    pairs = [line for line in found if line[0] in ("same code", "similar code")]
    files = [line for line in found if line[0] == "identical file"]
    body = ["<h1>Integrity report</h1>",
            "<p>Evidence for a person to read, not a penalty: no score was changed. Each pair below wrote the "
            "same statements once names, numbers, strings, statement order, comments and dead code are set aside. "
            "Left out: the lines the lesson gives (its scaffold and its solution) and any statement many learners "
            "wrote. Read the fragments side by side before drawing any conclusion.</p>",
            f"<h2>Code alike: {len(pairs)} pair{'s' * (len(pairs) != 1)}</h2>"]
    for line in pairs[:SHOWN]:
        kind, lesson, mine, theirs, score = line[:5]
        fragments = evidence.get((lesson, mine, theirs), ())
        body.append(f"<section>\n<h3>{_escape(lesson)}: {_escape(mine)} and {_escape(theirs)} ({kind}, similarity "
                    f"{score})</h3>\n<table>\n<caption>{len(fragments)} statements alike</caption>\n<thead><tr>"
                    f'<th scope="col">function</th><th scope="col">{_escape(mine)}</th>'
                    f'<th scope="col">{_escape(theirs)}</th></tr></thead>\n<tbody>')
        for function, one, other in fragments[:ROWS]:
            body.append(f'<tr><th scope="row">{_escape(function)}</th><td><pre>{_escape(one)}</pre></td>'
                        f"<td><pre>{_escape(other)}</pre></td></tr>")
        more = f"<p>... and {len(fragments) - ROWS} more statements alike.</p>\n" if len(fragments) > ROWS else ""
        body.append(f"</tbody>\n</table>\n{more}</section>")
    if len(pairs) > SHOWN:
        body.append(f"<p>... and {len(pairs) - SHOWN} more pairs in integrity.csv.</p>")
    body.append(f"<h2>Identical files: {len(files)}</h2>")
    if files:
        body.append("<ul>" + "".join(f"<li>{_escape(line[1])}: {_escape(line[2])} and {_escape(line[3])}: "
                                     f"{_escape(line[6])}</li>" for line in files) + "</ul>")
    return html_page("Integrity report", "\n".join(body))
