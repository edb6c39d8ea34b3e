"""The lab as a JupyterHub service: learners are the hub's users, the instructor's page opens through the hub's
OAuth, for the members of one hub group only.

The hub starts the lab (`python -m grading lab serve --hub-group GROUP`, a managed service of its `services`
configuration) with, in its environment, JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN (the lab's own token, also its
OAuth client secret), JUPYTERHUB_SERVICE_NAME, JUPYTERHUB_SERVICE_URL, JUPYTERHUB_SERVICE_PREFIX (the path the
hub's proxy sends to the lab), JUPYTERHUB_CLIENT_ID, JUPYTERHUB_OAUTH_CALLBACK_URL and JUPYTERHUB_BASE_URL.

A learner's kernel has its server's JUPYTERHUB_API_TOKEN and sends it as `Authorization: token T`; the lab asks
the hub whose it is (GET API/user with that token), so a learner can post only as the user the hub says they
are: nobody can name themselves. The answer is kept for CACHE seconds (UNKNOWN for a token the hub does not
know), by the token's SHA-256, never the token. The hub is asked about at most ASKED_RATE new tokens a second
(after a burst of ASKED_BURST): a flood of made-up tokens is answered 429 and never reaches the hub.

The instructor's page: a browser without the lab's cookie is sent to the hub's OAuth authorization
(API/oauth2/authorize, with PKCE); the hub refuses users without `access:services!service=NAME` (a role gives it
to the course's instructors), and the lab then checks that the user the hub names is a member of its group
(GET API/groups/GROUP with its own token: the lab's role needs `read:groups!group=GROUP`). The lab's cookie then
holds that name, signed with the lab's secret, for SESSION seconds.
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from .codes import CodeError, LEARNER_ID
from .limits import RateLimit

CACHE = 300.0           # seconds a token's user is kept
UNKNOWN = 10.0          # seconds a token the hub does not know is kept as unknown (a server's new token soon is)
SESSION = 8 * 3600      # seconds an instructor's sign-in lasts
TIMEOUT = 5.0           # seconds one request to the hub may take
ASKED_BURST, ASKED_RATE = 600, 20.0  # tokens asked of the hub: a class joining at once, then 20 a second
NEEDED = ("JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_NAME")


class HubError(RuntimeError):
    """The hub could not be asked (away, or it refused the lab's own token)."""


class HubBusy(RuntimeError):
    """Too many new tokens to ask the hub about now."""


class Hub:
    """What the lab needs of the JupyterHub it serves: whose a token is, the OAuth sign-in of its instructors."""

    def __init__(self, group, environ=None):
        env = os.environ if environ is None else environ
        missing = [name for name in NEEDED if not env.get(name)]
        if missing:
            raise CodeError(f"--hub-group: {', '.join(missing)} not set; the lab runs as a JupyterHub service when "
                            f"the hub starts it (its `services` configuration: README, For instructors)")
        if not isinstance(group, str) or not group.strip():
            raise CodeError(f"--hub-group {group!r}: expected the name of the hub group of the course's instructors")
        self.group = group.strip()
        self.api_url = env["JUPYTERHUB_API_URL"].rstrip("/")
        self.token = env["JUPYTERHUB_API_TOKEN"]
        self.name = env["JUPYTERHUB_SERVICE_NAME"]
        self.prefix = "/" + env.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{self.name}/").strip("/") + "/"
        self.client_id = env.get("JUPYTERHUB_CLIENT_ID") or f"service-{self.name}"
        self.callback = env.get("JUPYTERHUB_OAUTH_CALLBACK_URL") or self.prefix + "oauth_callback"
        base = "/" + env.get("JUPYTERHUB_BASE_URL", "/").strip("/")
        self.authorize = env.get("JUPYTERHUB_HOST", "") + base.rstrip("/") + "/hub/api/oauth2/authorize"
        self.access = f"access:services!service={self.name}"
        self.known = {}     # SHA-256 of a token: (user name or None, until)
        self.asked = RateLimit(ASKED_BURST, ASKED_RATE)

    def ask(self, method, path, token, form=None):
        """(status, parsed JSON or None) of one request to the hub's API with `token`."""
        data = None if form is None else urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(f"{self.api_url}/{path}", data, {"Authorization": f"token {token}"},
                                         method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, None
        except (OSError, ValueError) as error:
            raise HubError(f"the hub's API at {self.api_url} cannot be reached: {error}") from None

    def user_of(self, token):
        """The hub user whose token this is, or None (asked of the hub, kept CACHE seconds). Raises HubError when
        the hub cannot answer, HubBusy when it was asked about too many new tokens."""
        if not isinstance(token, str) or not 0 < len(token) <= 200:
            return None
        digest, now = hashlib.sha256(token.encode()).hexdigest(), time.monotonic()
        name, until = self.known.get(digest, (None, 0.0))
        if until > now:
            return name
        if not self.asked.allow("hub"):
            raise HubBusy(f"too many new tokens to ask the hub about: at most {ASKED_RATE:g} a second")
        status, model = self.ask("GET", "user", token)
        if status >= 500:
            raise HubError(f"the hub answered {status} when asked whose a token is")
        name = model.get("name") if status == 200 and isinstance(model, dict) and model.get("kind") == "user" \
            else None
        if len(self.known) > 10000:
            self.known = {key: value for key, value in self.known.items() if value[1] > now}
        self.known[digest] = (name, now + (CACHE if name else UNKNOWN))
        return name

    def sign_in(self, state, challenge):
        """The hub's authorization address a browser is sent to."""
        return self.authorize + "?" + urllib.parse.urlencode({
            "client_id": self.client_id, "redirect_uri": self.callback, "response_type": "code", "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256"})

    def instructor_of(self, code, verifier):
        """(hub user name, None) of the browser that the hub sent back with `code`, when a member of the group;
        (None, why not) otherwise."""
        status, reply = self.ask("POST", "oauth2/token", self.token, {
            "client_id": self.client_id, "client_secret": self.token, "grant_type": "authorization_code",
            "code": code, "redirect_uri": self.callback, "code_verifier": verifier})
        if status != 200 or not isinstance(reply, dict) or not reply.get("access_token"):
            return None, f"the hub did not confirm this sign-in (it answered {status})"
        status, model = self.ask("GET", "user", reply["access_token"])
        if status != 200 or not isinstance(model, dict) or model.get("kind") != "user":
            return None, f"the hub did not say who signed in (it answered {status})"
        name, scopes = model.get("name"), set(model.get("scopes") or ())
        if not scopes & {self.access, "access:services"}:
            return None, f"{name} may not use the service {self.name} ({self.access})"
        status, members = self.ask("GET", f"groups/{urllib.parse.quote(self.group, safe='')}", self.token)
        if status != 200 or not isinstance(members, dict) or not isinstance(members.get("users"), list):
            raise HubError(f"the hub answered {status} when asked for the members of group {self.group!r}: the "
                           f"lab's role needs the scope read:groups!group={self.group}")
        if name not in members["users"]:
            return None, f"{name} is not in the hub group {self.group!r} of this lab's instructors"
        return name, None


def challenge():
    """(state, PKCE code verifier, its S256 challenge) for one sign-in."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return secrets.token_urlsafe(16), verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _mac(key, text):
    return hmac.new(key, ("hub:" + text).encode(), hashlib.sha256).hexdigest()[:32]


def session_cookie(key, name, now=None):
    """The lab's cookie for the instructor `name`: name, expiry and a MAC with the lab's secret."""
    text = f"{name}:{int((time.time() if now is None else now) + SESSION)}"
    return f"{text}:{_mac(key, text)}"


def instructor_of_cookie(key, value, now=None):
    """The instructor's name a cookie of session_cookie holds, or None (not the lab's, or expired)."""
    if not isinstance(value, str) or value.count(":") < 2 or len(value) > 200:
        return None
    text, _, mac = value.rpartition(":")
    name, _, until = text.rpartition(":")
    if not hmac.compare_digest(_mac(key, text), mac) or not until.isdigit():
        return None
    return name if int(until) > (time.time() if now is None else now) else None


def fits(name):
    """Whether a hub user name can be a learner id of the lab's events."""
    return isinstance(name, str) and LEARNER_ID.fullmatch(name) is not None
