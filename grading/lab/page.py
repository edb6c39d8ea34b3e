"""The instructor's page: what the class is doing now, updated live from /stream (server-sent events).

Everything a learner's kernel sent (mistakes' words, kinds of problem) is put in the page as text
(textContent), never as HTML; the session's name is escaped. The script and the style are files of their own
(page.js, page.css), so the pages' Content-Security-Policy (HEADERS) allows no inline script at all. The page works by keyboard, its tables have
captions and header cells, and one live region says when the class's passes change or the connection drops.
"""
import html

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #1a1a1a;
       background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 .5rem; } h2 { font-size: 1.3em; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; } caption { text-align: left; color: #4a4a4a; padding: .25rem 0; }
th, td { border-bottom: 1px solid #767676; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: center; }
label { font-weight: 600; } select, input, button { font: inherit; }
a, button { color: #0b4f9c; } :focus-visible { outline: 3px solid #0b4f9c; outline-offset: 2px; }
#status { font-weight: 600; } .quiet { color: #4a4a4a; }
body.projector { font-size: 22px; max-width: none; }
"""

SCRIPT = r"""
const $ = (id) => document.getElementById(id);
let source = null, passes = null;
function cell(row, text, header, numeric) {
  const c = document.createElement(header ? 'th' : 'td');
  if (header) c.scope = 'row';
  if (numeric) c.className = 'n';
  c.textContent = String(text);
  row.appendChild(c);
  return c;
}
function fill(body, rows, empty, columns) {
  body.replaceChildren();
  if (!rows.length) {
    const row = body.insertRow(), c = cell(row, empty);
    c.colSpan = columns;
    c.className = 'quiet';
  }
  for (const values of rows) {
    const row = body.insertRow();
    values.forEach(([text, header, numeric]) => cell(row, text, header, numeric));
  }
}
function render(view) {
  const options = $('section');
  const want = ['', ...view.sections];
  if (options.options.length !== want.length) {
    const keep = options.value;
    options.replaceChildren(...want.map((name) => new Option(name || 'All sections', name)));
    options.value = want.includes(keep) ? keep : '';
  }
  $('summary').textContent = `${view.learners} learner(s), ${view.checks} check(s) so far` +
    (view.section ? ` (section ${view.section})` : '') + '.';
  fill($('functions'), view.functions.map((f) => [[f.function, true], [f.notebook], [f.passed, false, true],
       [f.trying, false, true], [f.not_started, false, true]]), '', 5);
  fill($('mistakes'), view.mistakes.map((m) => [[m.words, true], [m.function], [m.learners, false, true]]),
       'No mistake is being made now.', 3);
  fill($('stuck'), view.stuck.map((s) => [[s.name, true], [s.section], [s.function], [s.minutes, false, true],
       [s.attempts, false, true], [s.mistake]]), 'Nobody is stuck.', 6);
  const total = view.functions.reduce((sum, f) => sum + f.passed, 0);
  if (passes !== null && total !== passes) say(`Passes in all: ${total}.`);
  passes = total;
  $('updated').textContent = 'Updated ' + new Date(view.updated * 1000).toLocaleTimeString() + '.';
}
function say(text) { $('status').textContent = text; }
function connect() {
  const projector = $('projector').checked, section = $('section').value;
  const query = new URLSearchParams();
  if (section) query.set('section', section);
  if (projector) query.set('projector', '1');
  history.replaceState(null, '', query.toString() ? '?' + query : location.pathname);
  document.body.classList.toggle('projector', projector);
  $('stuck-part').hidden = projector;
  if (source) source.close();
  passes = null;
  source = new EventSource('stream' + (query.toString() ? '?' + query : ''));
  source.onmessage = (message) => render(JSON.parse(message.data));
  source.onopen = () => say('Live.');
  source.onerror = () => say('Connection to the lab lost: reconnecting.');
}
const start = new URLSearchParams(location.search);
$('projector').checked = start.get('projector') === '1';
if (start.get('section')) $('section').replaceChildren(new Option(start.get('section'), start.get('section')));
$('section').value = start.get('section') || '';
$('projector').addEventListener('change', connect);
$('section').addEventListener('change', connect);
connect();
"""


HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="page.css"></head>\n'
            f'<body>{body}</body></html>\n')


def login(session, problem=""):
    """The page asking for the instructor's token."""
    said = f'<p role="alert">{html.escape(problem)}</p>' if problem else ""
    return _page(f"Lab {session}: sign in", f"""
<main><h1>Lab {html.escape(session)}</h1>{said}
<form method="post" action="login">
<p><label for="token">Instructor's token</label><br><input id="token" name="token" type="password"
 autocomplete="current-password" required size="40"></p>
<p>The token is printed by <code>python -m grading lab token</code> and when the server starts.</p>
<p><button type="submit">Open the lab's view</button></p></form></main>""")


def instructor(session):
    """The instructor's page of `session`; its data comes from /stream."""
    name = html.escape(session)
    return _page(f"Lab {session}", f"""
<main>
<h1>Lab {name}</h1>
<div class="controls">
<p><label for="section">Section</label> <select id="section"><option value="">All sections</option></select></p>
<p><input type="checkbox" id="projector"> <label for="projector">Projector mode (no names)</label></p>
<p><a href="export.csv" download>Download the whole session as CSV</a></p>
</div>
<p id="status" role="status" aria-live="polite">Connecting to the lab.</p>
<noscript><p>This page updates itself with JavaScript, which is off: <a href="view.json">the view now, as
JSON</a>; <a href="export.csv">the session as CSV</a>.</p></noscript>
<p><span id="summary"></span> <span id="updated" class="quiet"></span></p>
<h2 id="functions-title">Functions</h2>
<table><caption>How many learners passed each function's check, are trying,
or have not started it</caption>
<thead><tr><th scope="col">Function</th><th scope="col">Notebook</th><th scope="col" class="n">Passed</th>
<th scope="col" class="n">Trying</th><th scope="col" class="n">Not started</th></tr></thead>
<tbody id="functions"></tbody></table>
<h2 id="mistakes-title">Mistakes being made now</h2>
<table><caption>The mistake named by each trying learner's latest check,
most frequent first</caption>
<thead><tr><th scope="col">Mistake</th><th scope="col">Function</th><th scope="col" class="n">Learners</th></tr>
</thead><tbody id="mistakes"></tbody></table>
<section id="stuck-part" aria-labelledby="stuck-title">
<h2 id="stuck-title">Stuck longest</h2>
<table><caption>Learners trying a function for the longest time, with their latest mistake</caption>
<thead><tr><th scope="col">Learner</th><th scope="col">Section</th><th scope="col">Function</th>
<th scope="col" class="n">Minutes</th><th scope="col" class="n">Checks</th><th scope="col">Latest mistake</th>
</tr></thead><tbody id="stuck"></tbody></table>
</section>
</main>
<script src="page.js"></script>""")
