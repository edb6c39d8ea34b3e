"""python -m grading lab serve|codes|token|sessions|export|purge: the commands of the live lab."""
import csv
import datetime
import sys
from pathlib import Path

from ..notebooks import PROJECT
from . import codes
from .storage import StorageError, open_storage

FOLDER = PROJECT / "build" / "lab"   # the secret and the SQLite database, unless --dir or --db say otherwise
HOST, PORT = "127.0.0.1", 8765


def add_lab_command(commands):
    lab = commands.add_parser("lab", help="the live lab: a server the check cells report to, and its page",
                              description="The live lab (README, For instructors): learners join with a code, "
                                          "each check cell sends what it found, the instructor's page shows the "
                                          "class live.")
    verbs = lab.add_subparsers(dest="verb", required=True, metavar="{serve,codes,token,sessions,export,purge}")
    serve = verbs.add_parser("serve", help="run the lab server")
    serve.add_argument("--host", default=HOST, help=f"address to listen on (default {HOST}; put a reverse proxy "
                                                    f"with HTTPS in front for other machines)")
    serve.add_argument("--port", type=int, default=None, help=f"port (default {PORT}, or that of "
                                                               f"JUPYTERHUB_SERVICE_URL with --hub-group)")
    serve.add_argument("--hub-group", metavar="GROUP", help="run as a JupyterHub service (started by the hub): "
                                                           "learners are the hub's users, the page opens through "
                                                           "the hub's OAuth for the members of GROUP only")
    serve.add_argument("--session", default=None, help="the session's name (default: today's date)")
    serve.add_argument("--roster", metavar="CSV", help="the class list id,name,email,section: names, sections, "
                                                       "and only its learners may post")
    serve.add_argument("--url", help="the address learners and the instructor use (default http://HOST:PORT/)")
    add_place(serve)
    codes_ = verbs.add_parser("codes", help="print one join code per learner of a roster (CSV)")
    codes_.add_argument("roster", metavar="roster.csv", help="the class list: id,name,email,section")
    codes_.add_argument("--url", default=f"http://{HOST}:{PORT}/", help="the lab's address in the join lines")
    add_place(codes_, database=False)
    token = verbs.add_parser("token", help="print the instructor's token and the page's address")
    token.add_argument("--url", default=f"http://{HOST}:{PORT}/", help="the lab's address")
    add_place(token, database=False)
    add_place(verbs.add_parser("sessions", help="list the sessions kept, with their numbers of events"))
    for verb, words in (("export", "print a session's events as CSV"), ("purge", "delete a session's events")):
        parser = verbs.add_parser(verb, help=words)
        parser.add_argument("--session", required=True, help="the session's name (lab sessions lists them)")
        add_place(parser)


def add_place(parser, database=True):
    parser.add_argument("--dir", default=str(FOLDER), help=f"the lab's folder: its secret and, by default, its "
                                                          f"SQLite database (default {FOLDER})")
    if database:
        parser.add_argument("--db", help="the database: sqlite:///PATH or postgresql://... (default: "
                                         "DIR/lab.sqlite3)")


def storage_of(options):
    return open_storage(options.db or f"sqlite:///{Path(options.dir).resolve() / 'lab.sqlite3'}")


def join_line(url, code):
    return f"from companion.lab import join; join('{url}', '{code}')"


def lab_command(options):
    """Run `python -m grading lab VERB ...`; exit status 0, or 2 for bad input."""
    try:
        key = codes.secret(options.dir)
        return VERBS[options.verb](options, key)
    except (codes.CodeError, StorageError) as error:
        print(f"lab {options.verb}: {error}", file=sys.stderr)
        return 2


def print_codes(options, key):
    from ..classbook import ClassError
    from ..lms import read_roster
    try:
        roster = read_roster(options.roster)
    except ClassError as error:
        raise codes.CodeError(str(error)) from None
    made = {learner.id: codes.learner_code(key, learner.id) for learner in roster.values()}  # all, or none
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("id", "name", "section", "code", "join"))
    for learner in roster.values():
        code = made[learner.id]
        writer.writerow((learner.id, learner.name, learner.section, code, join_line(options.url, code)))
    return 0


def print_token(options, key):
    token = codes.instructor_token(key)
    print(f"instructor's token: {token}\ninstructor's page:  {options.url.rstrip('/')}/?token={token}")
    return 0


def list_sessions(options, key):
    storage = storage_of(options)
    for session, count in storage.sessions():
        print(f"{session}\t{count} event(s)")
    return 0


def export(options, key):
    from .board import Board, to_csv
    storage = storage_of(options)
    sys.stdout.write(to_csv(Board(options.session), [event for _, event in storage.since(options.session)]))
    return 0


def purge(options, key):
    storage = storage_of(options)
    print(f"lab purge: {storage.purge(options.session)} event(s) of session {options.session} deleted")
    return 0


def serve(options, key):
    import uvicorn
    from .app import make_app
    roster = None
    if options.roster:
        from ..classbook import ClassError
        from ..lms import read_roster
        try:
            roster = read_roster(options.roster)
        except ClassError as error:
            raise codes.CodeError(str(error)) from None
    session = options.session or datetime.date.today().isoformat()
    if not codes.LEARNER_ID.fullmatch(session):
        raise codes.CodeError(f"--session {session!r}: expected 1 to 64 letters, digits or . _ @ + -")
    hub = None
    if options.hub_group is not None:
        import os
        import urllib.parse
        from .hub import Hub
        hub = Hub(options.hub_group)
        if options.port is None and os.environ.get("JUPYTERHUB_SERVICE_URL"):
            options.port = urllib.parse.urlsplit(os.environ["JUPYTERHUB_SERVICE_URL"]).port
    options.port = options.port or PORT
    storage = storage_of(options)
    url = (options.url or f"http://{options.host}:{options.port}/").rstrip("/")
    if hub is not None:
        print(f"lab {session}: a JupyterHub service at {hub.prefix}, its page for the hub group {hub.group!r}, "
              f"learners join with DNN_LAB=\"URL hub\"", flush=True)
    print(f"lab {session}: serving on {options.host}:{options.port}, events in {storage.where}\n"
          f"instructor's page: {url}/?token={codes.instructor_token(key)}\n"
          f"learners join with: {join_line(url + '/', 'THEIR-CODE')} (python -m grading lab codes roster.csv)",
          flush=True)
    uvicorn.run(make_app(storage, key, session, roster, hub=hub), host=options.host, port=options.port,
                log_level="warning", proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                timeout_graceful_shutdown=2)
    return 0


VERBS = {"serve": serve, "codes": print_codes, "token": print_token, "sessions": list_sessions, "export": export,
         "purge": purge}
