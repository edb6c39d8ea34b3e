"""The lab server as a Starlette application (served by uvicorn, cli.py).

    POST /api/events   a learner's events; `Authorization: Bearer JOIN-CODE`
    GET  /api/hello    who a join code is for (a learner's kernel asks once, on joining)
    GET  /             the instructor's page (page.py); GET /?token=T or POST /login keeps the token in a cookie
    GET  /stream       the view, live, as server-sent events (?section=S&projector=1)
    GET  /view.json    the view once, as JSON
    GET  /export.csv   the whole session as CSV
    GET  /health       "ok"
    GET  /oauth_callback  on a JupyterHub (hub.py): where the hub's OAuth sends an instructor back

On a JupyterHub (make_app(..., hub=Hub(...))) the routes are under the service's prefix, a learner may also
send `Authorization: token HUB-TOKEN` (the hub says whose it is), and the page opens through the hub's OAuth.

A learner's join code decides whose events a request holds: an event naming another learner is refused (403).
Every request of a learner is bounded (events.MAX_BODY bytes, a rate per learner: limits.py) and every field
validated (events.py): a request that is not as expected is answered 4xx, says why, and stores nothing. The
server reads what is stored every POLL seconds, so servers sharing a PostgreSQL database show the same view;
a live view is sent at most once a POLL, made once for all who follow it (board.py).
"""
import asyncio
import contextlib
import hmac
import json
import time
import urllib.parse

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response, \
    StreamingResponse
from starlette.routing import Mount, Route

from . import codes, events, hub as hubs, page
from .board import Board, to_csv
from .limits import RateLimit

POLL = 0.5          # seconds between two readings of the database
HEARTBEAT = 15.0    # seconds: the live view is sent at least this often (times move on)
LOOK_BACK = 5000    # rows: how far back a reading looks for rows committed after higher ones (storage.unseen)
COOKIE = "lab_instructor"
HUB_COOKIE, SIGN_IN = "lab_hub_instructor", "lab_hub_sign_in"


class Lab:
    """What the application serves: a session's board, its storage, the lab's secret, the roster."""

    def __init__(self, storage, key, session, roster=None, rate=None, hub=None):
        self.storage, self.key, self.session, self.roster, self.hub = storage, key, session, roster or {}, hub
        self.board = Board(session, self.roster)
        self.rate = rate or RateLimit()
        self.seq = 0        # the highest row read
        self.rows = set()   # the rows read among the last LOOK_BACK numbers
        self.changed = asyncio.Event()

    async def read(self):
        """Add to the board what was stored since the last reading; True when something was new. The database
        is read in a thread, the board changed in the event loop only (where the views are made from it)."""
        after = max(0, self.seq - LOOK_BACK)
        self.rows = {seq for seq in self.rows if seq > after}
        new = False
        for seq, event in await run_in_threadpool(self.storage.unseen, self.session, after, self.rows):
            self.seq = max(self.seq, seq)
            self.rows.add(seq)
            new |= self.board.add(event)
        return new

    async def follow(self):
        """Read the database every POLL seconds and wake the live views."""
        while True:
            await asyncio.sleep(POLL)
            try:
                new = await self.read()
            except Exception as error:  # the database away for a moment: try again at the next poll
                print(f"lab: cannot read the database: {error}", flush=True)
                continue
            if new:
                self.changed.set()
                self.changed = asyncio.Event()


def error(status, message, headers=None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def learner_of(request):
    """(learner id, None) for the request's join code (or, on a JupyterHub, hub token), or (None, the error
    response)."""
    lab = request.app.state.lab
    header = request.headers.get("authorization", "")
    if lab.hub is not None and header[:6].lower() == "token ":
        try:
            learner = await run_in_threadpool(lab.hub.user_of, header[6:].strip())
        except hubs.HubError as away:
            return None, error(503, str(away), {"Retry-After": "5"})
        except hubs.HubBusy as busy:
            return None, error(429, str(busy), {"Retry-After": "1"})
        if learner is None:
            return None, error(403, "the hub does not know this token")
        if not hubs.fits(learner):
            return None, error(403, f"the hub user {learner[:64]!r} cannot be a learner of the lab: expected 1 to "
                                    f"64 letters, digits or . _ @ + -")
    elif not header.startswith("Bearer "):
        return None, error(401, "no join code: expected the header Authorization: Bearer JOIN-CODE"
                                + (" or, on the hub, Authorization: token HUB-TOKEN" if lab.hub else ""))
    else:
        learner = codes.learner_of(lab.key, header[len("Bearer "):].strip())
    if learner is None:
        return None, error(403, "this join code is not one of this lab's")
    if lab.roster and learner not in lab.roster:
        return None, error(403, f"learner {learner} is not on this lab's roster")
    return learner, None


async def post_events(request):
    lab = request.app.state.lab
    learner, refused = await learner_of(request)
    if refused:
        return refused
    if not lab.rate.allow(learner):
        return error(429, f"too many requests from {learner}: at most {lab.rate.rate:g} a second in the long run",
                     {"Retry-After": str(lab.rate.wait(learner))})
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as bad:
        return error(400, f"the body is not JSON ({bad}); expected {{\"events\": [...]}}")
    if events.forged(body, learner):
        return error(403, f"the join code is {learner}'s: it may post only {learner}'s events")
    try:
        received = events.request_events(body, learner, time.time())
    except events.BadEvent as bad:
        return error(422, str(bad))
    stored = await run_in_threadpool(lab.storage.add, lab.session, received)
    return JSONResponse({"stored": stored, "sent": len(received)})


async def hello(request):
    lab = request.app.state.lab
    learner, refused = await learner_of(request)
    if refused:
        return refused
    return JSONResponse({"learner": learner, "session": lab.session})


def instructor(request):
    lab = request.app.state.lab
    if lab.hub is not None and hubs.instructor_of_cookie(lab.key, request.cookies.get(HUB_COOKIE)):
        return True
    return codes.is_instructor(lab.key, request.cookies.get(COOKIE)) or codes.is_instructor(
        lab.key, request.headers.get("authorization", "").removeprefix("Bearer ").strip())


def sign_in(request):
    """On a JupyterHub: send the browser to the hub's OAuth, the state and PKCE verifier kept in a cookie."""
    lab = request.app.state.lab
    state, verifier, challenge = hubs.challenge()
    response = RedirectResponse(lab.hub.sign_in(state, challenge), status_code=302)
    response.set_cookie(SIGN_IN, f"{state}:{verifier}", httponly=True, samesite="lax", max_age=600,
                        path=lab.hub.prefix, secure=request.url.scheme == "https")
    return response


async def oauth_callback(request):
    """Where the hub sends an instructor back: the code for a token, the token for a name, the name in the
    group, then the lab's own cookie."""
    lab = request.app.state.lab
    state, _, verifier = (request.cookies.get(SIGN_IN) or "").partition(":")
    code = request.query_params.get("code", "")
    if not state or not verifier or not code or not hmac.compare_digest(state, request.query_params.get("state",
                                                                                                         "")):
        return HTMLResponse(page.login(lab.session, "This sign-in did not start here: open the lab's page again."),
                            400, page.HEADERS)
    try:
        name, refused = await run_in_threadpool(lab.hub.instructor_of, code[:500], verifier)
    except hubs.HubError as away:
        return HTMLResponse(page.login(lab.session, str(away)), 503, page.HEADERS)
    if name is None:
        return HTMLResponse(page.login(lab.session, f"Not an instructor of this lab: {refused}."), 403,
                            page.HEADERS)
    response = RedirectResponse(lab.hub.prefix, status_code=303)
    response.set_cookie(HUB_COOKIE, hubs.session_cookie(lab.key, name), httponly=True, samesite="lax",
                        path=lab.hub.prefix, secure=request.url.scheme == "https", max_age=hubs.SESSION)
    response.delete_cookie(SIGN_IN, path=lab.hub.prefix)
    return response


def keep_token(request, token):
    response = RedirectResponse("./", status_code=303)  # relative: right behind a proxy's path prefix too
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=24 * 3600)
    return response


async def home(request):
    lab = request.app.state.lab
    token = request.query_params.get("token")
    if token is not None:
        if codes.is_instructor(lab.key, token):
            return keep_token(request, token)
        return HTMLResponse(page.login(lab.session, "That is not this lab's instructor token."), 403, page.HEADERS)
    if not instructor(request):
        if lab.hub is not None:
            return sign_in(request)
        return HTMLResponse(page.login(lab.session), 401, page.HEADERS)
    return HTMLResponse(page.instructor(lab.session), headers=page.HEADERS)


async def login(request):
    lab = request.app.state.lab
    form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    if not codes.is_instructor(lab.key, token):
        return HTMLResponse(page.login(lab.session, "That is not this lab's instructor token."), 403, page.HEADERS)
    return keep_token(request, token)


def view_options(request):
    section = request.query_params.get("section", "")[:100]
    return section or None, request.query_params.get("projector") in ("1", "true", "on")


async def view_json(request):
    if not instructor(request):
        return error(401, "the instructor's view needs the instructor's token")
    section, projector = view_options(request)
    return JSONResponse(request.app.state.lab.board.view(section, projector))


async def stream(request):
    if not instructor(request):
        return error(401, "the instructor's view needs the instructor's token")
    lab = request.app.state.lab
    section, projector = view_options(request)

    async def updates():
        while True:
            changed = lab.changed
            yield f"data: {json.dumps(lab.board.view(section, projector))}\n\n"
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), HEARTBEAT)
            await asyncio.sleep(POLL)  # many events at once: one update

    return StreamingResponse(updates(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def export(request):
    if not instructor(request):
        return error(401, "the export needs the instructor's token")
    lab = request.app.state.lab
    rows = await run_in_threadpool(lab.storage.since, lab.session, 0)
    return Response(to_csv(lab.board, [event for _, event in rows]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="lab-{lab.session}.csv"'})


async def health(request):
    return PlainTextResponse("ok")


async def script(request):
    return Response(page.SCRIPT, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})


async def style(request):
    return Response(page.STYLE, media_type="text/css; charset=utf-8", headers={"Cache-Control": "no-cache"})


def make_app(storage, key, session, roster=None, rate=None, hub=None):
    """The application serving `session` from `storage` with the lab's secret `key`; on a JupyterHub, `hub`
    (hub.Hub) and the routes under its prefix."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        lab = app.state.lab = Lab(storage, key, session, roster, rate, hub)
        await lab.read()
        follower = asyncio.create_task(lab.follow())
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    routes = [Route("/api/events", post_events, methods=["POST"], max_body_size=events.MAX_BODY),
              Route("/api/hello", hello), Route("/", home), Route("/login", login, methods=["POST"],
                                                                  max_body_size=1024),
              Route("/stream", stream), Route("/view.json", view_json), Route("/export.csv", export),
              Route("/health", health), Route("/page.js", script), Route("/page.css", style)]
    if hub is not None:
        routes = [Mount(hub.prefix.rstrip("/"), routes=routes + [Route("/oauth_callback", oauth_callback)])]
    return Starlette(routes=routes, lifespan=lifespan, max_body_size=events.MAX_BODY)
