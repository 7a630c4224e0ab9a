"""The Python Celery side of the canvas phase: the same shapes as
bench/canvas/canvas-client.mjs, built with Celery's canvas and applied with
``apply_async`` on BENCH_QUEUE, each timed from the call to its final result in
Redis (polled as canvas-wait.mjs polls). Prints one ``CANVAS_RESULT {json}`` line.

Usage: /usr/bin/python3 canvas_celery.py SIZE CHAIN_LENGTH WARMUP_SIZE SHAPE...
"""
import json
import os
import sys
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import redis  # noqa: E402
from celery import chain, chord, group  # noqa: E402

from celery_app import app  # noqa: E402

QUEUE = os.environ["BENCH_QUEUE"]
TIMEOUT = 300
READY = {"SUCCESS", "FAILURE", "REVOKED"}
POLL_CHUNK = 500
WORKER_PID = int(os.environ.get("BENCH_WORKER_PID", "0"))
backend = redis.Redis.from_url(
    os.environ.get("RESULT_BACKEND_URL", "redis://127.0.0.1:6379/0")
)


def tree_cpu_seconds(root):
    """CPU seconds (user + system) of a process and its descendants, from
    /proc, as bench/lib/proc-stats.mjs reads them (prefork children count)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split(" ")
        stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    ticks, stack = 0, [root]
    while stack:
        pid = stack.pop()
        ticks += stats.get(pid, (0, 0))[1]
        stack.extend(child for child, (ppid, _) in stats.items() if ppid == pid)
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(runner, size):
    """Runs one shape; adds the worker's CPU seconds and the client's own
    while it submitted (the runner reports when its submit returned)."""
    worker_before = tree_cpu_seconds(WORKER_PID) if WORKER_PID else None
    result = runner(size)
    if worker_before is not None:
        result["workerCpuSeconds"] = tree_cpu_seconds(WORKER_PID) - worker_before
    return result


def submitted(result, started, cpu_started):
    result["submitSeconds"] = time.perf_counter() - started
    result["submitCpuSeconds"] = time.process_time() - cpu_started
    return result


def key(task_id):
    return "celery-task-meta-" + task_id


def add(*args):
    return app.signature("add_task", args=args, queue=QUEUE)


def metas(ids):
    out = []
    for start in range(0, len(ids), 5000):
        values = backend.mget([key(i) for i in ids[start : start + 5000]])
        out.extend(json.loads(v) if v else None for v in values)
    return out


def not_ready(ids):
    """The ids whose result may not be ready yet, a chunk at a time up to
    the first chunk with one not ready (as canvas-wait.mjs checks)."""
    for start in range(0, len(ids), POLL_CHUNK):
        chunk = ids[start : start + POLL_CHUNK]
        waiting = [
            task_id
            for task_id, meta in zip(chunk, metas(chunk))
            if not meta or meta["status"] not in READY
        ]
        if waiting:
            return waiting + ids[start + POLL_CHUNK :]
    return []


def until_ready(task_id, deadline):
    while time.monotonic() < deadline:
        raw = backend.get(key(task_id))
        meta = json.loads(raw) if raw else None
        if meta and meta["status"] in READY:
            return meta
        time.sleep(0.005)
    raise TimeoutError("no final result for " + task_id)


def step_gaps(all_metas):
    done = sorted(
        datetime.fromisoformat(m["date_done"]).timestamp() * 1000
        for m in all_metas
        if m and m.get("date_done")
    )
    return sorted(b - a for a, b in zip(done, done[1:]))


def run_group(size):
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = group([add(i, 1) for i in range(size)]).apply_async()
    submit = submitted({}, started, cpu_started)
    ids = [child.id for child in result.results]
    deadline = time.monotonic() + TIMEOUT
    waiting = ids
    while True:
        waiting = not_ready(waiting)
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("group results missing")
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    good = [m for m in metas(ids) if m and m["status"] == "SUCCESS"]
    total = sum(m["result"] for m in good)
    backend.unlink(*[key(i) for i in ids])
    expected = size * (size + 1) // 2
    return {
        **submit,
        "seconds": seconds,
        "parts": len(ids),
        "lost": len(ids) - len(good),
        "sum": total,
        "ok": len(good) == len(ids) and total == expected,
    }


def run_chord(size):
    cpu_started = time.process_time()
    started = time.perf_counter()
    body = app.signature("celery.accumulate", kwargs={"index": 0}, queue=QUEUE)
    result = chord([add(i, i) for i in range(size)])(body)
    submit = submitted({}, started, cpu_started)
    meta = until_ready(result.id, time.monotonic() + TIMEOUT)
    seconds = time.perf_counter() - started
    values = meta["result"] if isinstance(meta["result"], list) else []
    total = sum(values)
    return {
        **submit,
        "seconds": seconds,
        "status": meta["status"],
        "parts": len(values),
        "lost": size - len(values),
        "sum": total,
        "ok": meta["status"] == "SUCCESS" and total == size * (size - 1),
    }


def run_chain(length):
    cpu_started = time.process_time()
    started = time.perf_counter()
    steps = [add(0, 1)] + [add(1) for _ in range(length - 1)]
    result = chain(*steps).apply_async()
    submit = submitted({}, started, cpu_started)
    meta = until_ready(result.id, time.monotonic() + TIMEOUT)
    seconds = time.perf_counter() - started
    ids = []
    node = result
    while node is not None:
        ids.append(node.id)
        node = node.parent
    gaps = step_gaps(metas(ids))
    backend.unlink(*[key(i) for i in ids])
    return {
        **submit,
        "seconds": seconds,
        "status": meta["status"],
        "steps": len(ids),
        "result": meta["result"],
        "ok": meta["status"] == "SUCCESS" and meta["result"] == length,
        "perStepMs": seconds * 1000 / len(ids),
        "stepGapP50Ms": gaps[len(gaps) // 2] if gaps else None,
    }


def main():
    size, chain_length, warmup = (int(arg) for arg in sys.argv[1:4])
    shapes = sys.argv[4:]
    runners = {"group": run_group, "chord": run_chord, "chain": run_chain}
    # Untimed first: imports, the pool's children, the connections.
    for shape in shapes if warmup > 0 else []:
        runners[shape](min(chain_length, warmup) if shape == "chain" else warmup)
    results = {
        shape: measured(runners[shape], chain_length if shape == "chain" else size)
        for shape in shapes
    }
    print("CANVAS_RESULT " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
