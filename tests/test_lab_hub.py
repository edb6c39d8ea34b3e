"""The live lab as a JupyterHub service, with a real JupyterHub (its dummy authenticator, its proxy
configurable-http-proxy from npm, SimpleLocalProcessSpawner) on free ports of 127.0.0.1: ada's server is
spawned by the hub, and a check run with that server's environment (DNN_LAB="URL hub", its JUPYTERHUB_API_TOKEN)
reaches the lab under ada's hub name; bob cannot post as ada (not by naming her, not with a made-up token) and
cannot open the instructor's page, which grace, of the hub group `instructors`, opens through the hub's OAuth.
Every process started is gone afterwards."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from test_browser import free_port, wait_until_listening

PROJECT = Path(__file__).resolve().parents[1]
PROXY = PROJECT / "node_modules" / ".bin" / "configurable-http-proxy"
SERVICE = "dnn-lab"

CONFIG = '''
import sys
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.pid_file = "{folder}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "{password}"
c.Authenticator.allowed_users = {{"ada", "bob", "grace", "carol"}}
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # the API answers 202 at once; the test waits
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.cmd = [sys.executable, "{folder}/server.py"]
c.Spawner.args = ["--allow-root"]
c.Spawner.environment = {{"DNN_LAB": "http://127.0.0.1:{port}/services/{service}/ hub"}}
c.JupyterHub.load_groups = {{"instructors": {{"users": ["grace"]}}}}
c.JupyterHub.load_roles = [
    {{"name": "lab-instructors", "groups": ["instructors"], "scopes": ["access:services!service={service}"]}},
    {{"name": "{service}", "services": ["{service}"], "scopes": ["read:groups!group=instructors"]}},
    {{"name": "may-open", "users": ["carol"], "scopes": ["access:services!service={service}"]}},
]
c.JupyterHub.services = [{{
    "name": "{service}", "url": "http://127.0.0.1:{lab_port}", "oauth_no_confirm": True, "cwd": {project!r},
    "command": [sys.executable, "-m", "grading", "lab", "serve", "--hub-group", "instructors",
                "--session", "week1", "--dir", "{folder}/lab"],
}}]
'''

# The user's server: its environment kept for the test (what a kernel of it inherits), then the real one.
SERVER = '''
import json, os, sys
with open(os.path.join(os.environ["HOME"], "environment.json"), "w") as out:
    json.dump({key: os.environ[key] for key in ("DNN_LAB", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER")}, out)
os.execv(os.path.join(os.path.dirname(sys.executable), "jupyterhub-singleuser"),
         ["jupyterhub-singleuser", *sys.argv[1:]])
'''

CHECK = '''
import numpy as np
from testCases import check_linear_forward
def linear_forward(A, W, b):
    Z = np.dot(W.T, A) + b
    return Z, (A, W, b)
check_linear_forward(linear_forward)
from companion.lab import flush; print("sent:", flush(20))
'''


def processes_under(pid):
    """The ids of `pid`'s descendants (read from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


class Hub:
    def __init__(self, folder):
        if not PROXY.exists():
            pytest.fail(f"{PROXY} is missing: `make npm` installs configurable-http-proxy (npm ci)")
        self.folder, self.password = Path(folder), uuid.uuid4().hex
        self.port, self.lab_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lab = f"{self.url}/services/{SERVICE}/"
        (self.folder / "home").mkdir(parents=True)
        (self.folder / "server.py").write_text(SERVER)
        (self.folder / "jupyterhub_config.py").write_text(CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_port=free_port(), lab_port=self.lab_port, proxy=str(PROXY),
            folder=self.folder, password=self.password, service=SERVICE, project=str(PROJECT)))
        self.log = self.folder / "hub.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
                                            cwd=self.folder, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.started = set()

    def wait(self):
        wait_until_listening(self.port, self.process, "JupyterHub", self.log, timeout=60)
        wait_until_listening(self.lab_port, self.process, "the lab service", self.log, timeout=60)
        deadline = time.monotonic() + 30
        while requests.get(self.url + "/hub/health", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)

    def login(self, name):
        """A browser's session signed in to the hub as `name`."""
        browser = requests.Session()
        browser.get(self.url + "/hub/login", timeout=10)
        answer = browser.post(self.url + "/hub/login?next=/hub/home", timeout=10, allow_redirects=False,
                              data={"username": name, "password": self.password, "_xsrf": browser.cookies["_xsrf"]})
        assert answer.status_code == 302 and answer.headers["Location"] == "/hub/home", answer.text
        return browser

    def spawn(self, browser, name):
        """Start `name`'s server through the hub's API, as the hub's page does."""
        answer = browser.post(f"{self.url}/hub/api/users/{name}/server", timeout=10,
                              headers={"X-XSRFToken": browser.cookies.get("_xsrf")})
        assert answer.status_code in (201, 202), answer.text

    def environment(self, name):
        """The environment the hub gave `name`'s server."""
        kept = self.folder / "home" / name / "environment.json"
        deadline = time.monotonic() + 60
        while not kept.exists() or not kept.read_text().endswith("}"):
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)
        return json.loads(kept.read_text())

    def stop(self):
        self.started |= set(processes_under(self.process.pid))
        self.process.terminate()  # the hub stops its proxy, its service and the users' servers
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture
def hub(tmp_path):
    running = Hub(tmp_path)
    try:
        running.wait()
        yield running
    finally:
        running.stop()
        deadline = time.monotonic() + 15
        while [pid for pid in running.started if alive(pid)] and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in running.started if alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"processes left after the hub stopped: {left}"


def run_check(environment):
    """A check run where the user's server would run it: the server's environment, in IPython."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTERHUB_", "DNN_LAB"))}
    env.update(environment)
    done = subprocess.run([sys.executable, "-m", "IPython", "--quick", "--no-banner", "-c", CHECK], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_learner_is_who_the_hub_says_and_only_its_instructors_see_the_class(hub):
    ada, bob = hub.login("ada"), hub.login("bob")
    hub.spawn(ada, "ada")
    hub.spawn(bob, "bob")
    environment = hub.environment("ada")
    assert environment["JUPYTERHUB_USER"] == "ada" and environment["DNN_LAB"] == hub.lab + " hub"
    out = run_check(environment)
    assert f"Joined the lab at {hub.lab} as ada." in out and "sent: True" in out, out

    grace = hub.login("grace")
    page = grace.get(hub.lab, timeout=20)  # to the hub's OAuth and back, with the lab's cookie
    assert page.status_code == 200 and page.url == hub.lab, page.text
    deadline = time.monotonic() + 10
    while True:
        view = grace.get(hub.lab + "view.json", timeout=10).json()
        rows = [row for row in view.get("stuck", []) if row.get("learner") == "ada"]
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert rows and rows[0]["function"] == "linear_forward", view
    row = next(row for row in view["functions"] if row["function"] == "linear_forward")
    assert row["trying"] == 1, row

    bob_token = hub.environment("bob")["JUPYTERHUB_API_TOKEN"]
    forged = {"events": [{"id": uuid.uuid4().hex, "learner": "ada", "function": "relu", "outcome": "passed",
                          "attempt": 1, "time": time.time(), "mistakes": [], "problems": []}]}
    answer = requests.post(hub.lab + "api/events", json=forged, headers={"Authorization": f"token {bob_token}"},
                           timeout=10)
    assert answer.status_code == 403 and "bob" in answer.json()["error"], answer.text
    made_up = requests.post(hub.lab + "api/events", json=forged, headers={"Authorization": "token " + "0" * 32},
                            timeout=10)
    assert made_up.status_code == 403, made_up.text
    assert requests.get(hub.lab + "api/hello", headers={"Authorization": f"token {bob_token}"},
                        timeout=10).json()["learner"] == "bob"

    refused = bob.get(hub.lab, timeout=20)  # the hub's OAuth refuses bob: no access to the lab's service
    assert refused.status_code == 403 and "view.json" not in refused.text, refused.text
    assert bob.get(hub.lab + "view.json", timeout=10).status_code == 401
    carol = hub.login("carol")  # the hub lets her open the service, but she is not in the lab's group
    not_hers = carol.get(hub.lab, timeout=20)
    assert not_hers.status_code == 403 and "carol is not in the hub group" in not_hers.text, not_hers.text
    assert carol.get(hub.lab + "view.json", timeout=10).status_code == 401
    callback = bob.get(hub.lab + "oauth_callback", params={"code": "x", "state": "y"}, timeout=10)
    assert callback.status_code == 400
    events = grace.get(hub.lab + "export.csv", timeout=10).text
    assert re.search(r",ada,", events) and "relu" not in events, events


def test_the_lab_needs_the_hub_s_environment_and_signs_its_instructors_cookie(tmp_path):
    from grading.lab import hub as hubs
    from grading.lab.codes import CodeError
    with pytest.raises(CodeError, match="--hub-group: JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, "
                                        "JUPYTERHUB_SERVICE_NAME not set; the lab runs as a JupyterHub service"):
        hubs.Hub("instructors", {})
    environ = {"JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api", "JUPYTERHUB_API_TOKEN": "t",
               "JUPYTERHUB_SERVICE_NAME": "dnn-lab", "JUPYTERHUB_SERVICE_PREFIX": "/services/dnn-lab/"}
    with pytest.raises(CodeError, match="--hub-group '  ': expected the name of the hub group"):
        hubs.Hub("  ", environ)
    lab = hubs.Hub("instructors", environ)
    assert lab.callback == "/services/dnn-lab/oauth_callback" and lab.client_id == "service-dnn-lab"
    assert lab.authorize == "/hub/api/oauth2/authorize"
    with pytest.raises(hubs.HubError, match="the hub's API at http://127.0.0.1:1/hub/api cannot be reached"):
        lab.user_of("a-token")
    key, other = b"k" * 32, b"o" * 32
    cookie = hubs.session_cookie(key, "grace", now=1000)
    assert hubs.instructor_of_cookie(key, cookie, now=1001) == "grace"
    assert hubs.instructor_of_cookie(key, cookie, now=1000 + hubs.SESSION) is None  # expired
    assert hubs.instructor_of_cookie(other, cookie, now=1001) is None  # not this lab's
    name, until, mac = cookie.split(":")
    assert hubs.instructor_of_cookie(key, f"ada:{until}:{mac}", now=1001) is None  # another name
    assert hubs.instructor_of_cookie(key, f"grace:{int(until) + 10**6}:{mac}", now=1001) is None  # longer


def test_a_flood_of_made_up_tokens_does_not_reach_the_hub(monkeypatch):
    from grading.lab import hub as hubs
    environ = {"JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api", "JUPYTERHUB_API_TOKEN": "t",
               "JUPYTERHUB_SERVICE_NAME": "dnn-lab"}
    lab, asked = hubs.Hub("instructors", environ), []
    monkeypatch.setattr(lab, "ask", lambda method, path, token: asked.append(token) or (
        (200, {"kind": "user", "name": "ada"}) if token == "ada's" else (403, None)))
    assert lab.user_of("ada's") == "ada" and lab.user_of("ada's") == "ada" and asked == ["ada's"]  # kept
    refused = 0
    for number in range(hubs.ASKED_BURST + 50):
        try:
            assert lab.user_of(f"made-up-{number}") is None
        except hubs.HubBusy:
            refused += 1
    assert len(asked) <= hubs.ASKED_BURST + 5 and refused >= 45
    assert lab.user_of("ada's") == "ada"  # a known token is still answered, without asking
