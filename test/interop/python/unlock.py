"""Chords from a Python producer whose result backend has no native chord
join, so that Celery itself sends `celery.chord_unlock`:

    /usr/bin/python3 unlock.py run '{"timeout": 30}'

The producer is interop_app's configuration with the stock file system
result backend (`file://`): a KeyValueStoreBackend without `incr`, so
`chord.run` goes through `BaseBackend.apply_chord` ->
`fallback_chord_unlock`, exactly as with the database, MongoDB or
Elasticsearch backends, and sets no chord size. Whoever runs the tasks
stores their results where its own backend is: for a celeriac worker,
Redis, so the outcomes are read with interop_app's Redis-backed app.

Prints one JSON line: {case: {"result" | "error", "id", ...}, "sent": [task
names the producer published]}.
"""

import json
import shutil
import sys
import tempfile

from celery import Celery, chord
from celery.signals import before_task_publish

from interop_app import app as redis_app

RESULTS_DIR = tempfile.mkdtemp(prefix="celeriac-interop-unlock-")

producer = Celery(
    "interop_unlock_producer",
    broker=redis_app.conf.broker_url,
    backend="file://" + RESULTS_DIR,
)
producer.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    task_default_queue=redis_app.conf.task_default_queue,
    broker_connection_retry_on_startup=True,
)

SENT = []


@before_task_publish.connect
def record(sender=None, headers=None, **_):
    SENT.append({"task": sender, "id": (headers or {}).get("id"),
                 "eta": (headers or {}).get("eta")})


def sig(name, *args):
    return producer.signature(name, args=args)


def joins():
    # (1 + 2) * 10 from a chain in the header, then 3 + 4: 30 + 7
    return chord([sig("add_task", 1, 2) | sig("multi_task", 10),
                  sig("add_task", 3, 4)], sig("sum_task")).apply_async()


def header_fails():
    body = sig("sum_task")
    handler = sig("errback_task")
    handler.freeze()
    body.on_error(handler)
    result = chord([sig("add_task", 1, 1), sig("fail_task", "boom")], body).apply_async()
    return result, handler.id, [child.id for child in result.parent.results]


def describe(error):
    return {"type": type(error).__name__, "module": type(error).__module__,
            "message": str(error)}


def outcome(task_id, timeout):
    try:
        return {"result": redis_app.AsyncResult(task_id).get(timeout=timeout)}
    except Exception as error:  # the chord's own failure is data
        return {"error": describe(error)}


def run(params):
    timeout = params.get("timeout", 30)
    joined = joins()
    failed, errback_id, header_ids = header_fails()
    out = {
        "joins": {"id": joined.id,
                  "header_ids": [child.id for child in joined.parent.results],
                  **outcome(joined.id, timeout)},
        "header_fails": {
            "id": failed.id,
            "header_ids": header_ids,
            **outcome(failed.id, timeout),
            "errback": outcome(errback_id, timeout),
        },
        "sent": SENT,
    }
    shutil.rmtree(RESULTS_DIR, ignore_errors=True)
    return out


def main(argv):
    if len(argv) != 3 or argv[1] != "run":
        sys.stderr.write("usage: unlock.py run '<json params>'\n")
        return 2
    sys.stdout.write(json.dumps(run(json.loads(argv[2]))) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
