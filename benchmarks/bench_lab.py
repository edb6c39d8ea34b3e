"""The live lab under a class's load: simulated learners posting their checks to a lab server on loopback.

    python benchmarks/bench_lab.py [--learners 500] [--events 40] [--seconds 120] [--db URL]

The server is started as README says (`python -m grading lab serve`, SQLite in a folder of its own unless
--db names a database) on a free port of 127.0.0.1. Each learner has a join code and one keep-alive
connection, and sends its events one request at a time, spread over --seconds (a random start, then a steady
pace with a little jitter, drawn with a fixed seed). An instructor's page follows /stream all along.

Printed: the requests answered and how (every one must be 200 and stored once: no loss), the latency of a
report (from sending the request to reading the whole answer) at the 50th, 90th, 99th percentile and the
worst, and how far behind the live view was: for each second, the time from the moment N events had been
acknowledged until the view counted N checks. Exit status 1 when an event is lost, p99 reaches 100 ms or
the view is 2 s behind.
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

from grading.lab import codes  # noqa: E402
from grading.lab.events import FUNCTIONS  # noqa: E402
from test_browser import free_port  # noqa: E402

P99_TARGET, VIEW_TARGET = 0.100, 2.0


async def http(reader, writer, method, path, headers, body=b""):
    """(status, body) of one HTTP/1.1 request on a kept-alive connection."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n{head}\r\n"
                 .encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def learner(port, code, events, seconds, rng, acks, latencies, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {code}", "Content-Type": "application/json"}
    pace = seconds / events
    await asyncio.sleep(rng.uniform(0, pace))
    start = time.monotonic()
    for index in range(events):
        await asyncio.sleep(max(0.0, start + index * pace + rng.uniform(0, pace / 4) - time.monotonic()))
        event = {"id": uuid.uuid4().hex, "function": rng.choice(FUNCTIONS), "attempt": index + 1,
                 "outcome": rng.choice(("passed", "failed")), "time": time.time(),
                 "mistakes": [{"id": "a_mistake", "words": "a mistake, in words"}], "problems": ["wrong values"]}
        body = json.dumps({"events": [event]}).encode()
        sent = time.perf_counter()
        for attempt in range(5):  # a learner's kernel resends what was not answered 200
            status, answer = await http(reader, writer, "POST", "/api/events", headers, body)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                break
            await asyncio.sleep(1)
        latencies.append(time.perf_counter() - sent)
        acks.append(time.monotonic())
    writer.close()


async def follow(port, token, seen, done):
    """The instructor's page: (time, checks) of every view the live stream sends."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: lab_instructor={token}\r\n\r\n".encode())
    await writer.drain()
    while not done.is_set():
        line = await reader.readline()
        if line.startswith(b"data: "):
            seen.append((time.monotonic(), json.loads(line[6:])["checks"]))
    writer.close()


async def load(port, key, token, options):
    rng = random.Random(28)
    acks, latencies, statuses, seen = [], [], {}, []
    done = asyncio.Event()
    follower = asyncio.create_task(follow(port, token, seen, done))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    await asyncio.gather(*(learner(port, codes.learner_code(key, f"learner{index:04d}"), options.events,
                                   options.seconds, random.Random(rng.random()), acks, latencies, statuses)
                           for index in range(options.learners)))
    took = time.monotonic() - started
    total = options.learners * options.events
    while (not seen or seen[-1][1] < total) and time.monotonic() - started < took + 10:
        await asyncio.sleep(0.1)
    done.set()
    follower.cancel()
    return acks, latencies, statuses, seen, took


def behind(acks, seen):
    """For each second of the run, how long after N events were acknowledged the view counted N checks."""
    acks = sorted(acks)
    lags = []
    for second in range(int(acks[0]) + 1, int(acks[-1]) + 1):
        count = sum(1 for ack in acks if ack <= second)
        shown = next((when for when, checks in seen if checks >= count), None)
        lags.append(max(0.0, shown - second) if shown is not None else float("inf"))
    return lags


def cpu_seconds(pid):
    """The CPU time (user and system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--db", help="the database (default: SQLite in a folder of its own)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    key, port = codes.secret(folder), free_port()
    session = f"bench-{uuid.uuid4().hex[:8]}"  # a database given may hold earlier runs: a session of its own
    command = [sys.executable, "-m", "grading", "lab", "serve", "--dir", str(folder), "--port", str(port),
               "--session", session] + (["--db", options.db] if options.db else [])
    server = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                asyncio.run(asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1))
                break
            except OSError:
                time.sleep(0.1)
        idle = cpu_seconds(server.pid)  # what starting took
        acks, latencies, statuses, seen, took = asyncio.run(load(port, key, codes.instructor_token(key), options))
        server_cpu = cpu_seconds(server.pid) - idle
        place = ["--session", session, "--dir", str(folder)] + (["--db", options.db] if options.db else [])
        stored = subprocess.run(command[:4] + ["export", *place], cwd=PROJECT, capture_output=True, text=True,
                                check=True).stdout.count("\n") - 1
    finally:
        server.terminate()
        server.wait(30)
        subprocess.run(command[:4] + ["purge", *place], cwd=PROJECT, capture_output=True)
    total = options.learners * options.events
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    lags = behind(acks, seen)
    print(f"{options.learners} learners x {options.events} events over {took:.1f} s "
          f"({total / took:.0f} events/s), database {options.db or 'SQLite'}")
    print(f"answers: {dict(sorted(statuses.items()))}; stored {stored} of {total} events "
          f"({'none lost' if stored == total else f'{total - stored} LOST'})")
    print(f"report latency: p50 {quantiles[49] * 1000:.1f} ms, p90 {quantiles[89] * 1000:.1f} ms, "
          f"p99 {quantiles[98] * 1000:.1f} ms, worst {max(latencies) * 1000:.1f} ms (target p99 < 100 ms)")
    print(f"server CPU: {server_cpu:.1f} s in all, {server_cpu / total * 1000:.2f} ms an event; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end (other work on the machine slows it)")
    print(f"live view behind the acknowledged events: median {statistics.median(lags):.2f} s, worst "
          f"{max(lags):.2f} s (target < {VIEW_TARGET:.0f} s); final view {seen[-1][1] if seen else 0} checks")
    ok = stored == total and quantiles[98] < P99_TARGET and max(lags) < VIEW_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
