"""A Python Celery client for the interop suite, one command per run:

    /usr/bin/python3 client.py <command> '<json params>'

It prints exactly one JSON line on stdout. A task's own failure is data, not
a crash: `get` prints {"error": {"type", "module", "message"}}. Anything
else that goes wrong exits non-zero with Python's traceback on stderr.
"""

import json
import sys

from celery import chord as celery_chord
from celery import group
from celery.result import AsyncResult, GroupResult

from interop_app import app


def describe(error):
    return {
        "type": type(error).__name__,
        "module": type(error).__module__,
        "message": str(error),
    }


def send_task(params):
    """send_task(name, args, kwargs, queue=...) with optional retries, time
    limits and countdown, which Python writes into the message headers."""
    options = {
        key: params[key]
        for key in (
            "retries", "time_limit", "soft_time_limit", "task_id", "countdown"
        )
        if key in params
    }
    result = app.send_task(
        params["name"],
        args=params.get("args", []),
        kwargs=params.get("kwargs", {}),
        queue=params["queue"],
        **options,
    )
    return {"id": result.id}


def get(params):
    """AsyncResult(id).get(timeout): the result and its repr, or the error."""
    try:
        value = AsyncResult(params["id"], app=app).get(timeout=params["timeout"])
    except Exception as error:  # the task's exception, rebuilt by Celery
        return {"error": describe(error)}
    # repr tells 200 from 200.0, which JSON (and JavaScript) cannot.
    return {"result": value, "repr": repr(value)}


def state(params):
    return {"state": AsyncResult(params["id"], app=app).state}


def chain(params):
    """add_task(a, b) | sum_multiply_task(a, b): ends with [(a+b)*a, (a+b)*b]."""
    a, b, queue = params["a"], params["b"], params["queue"]
    workflow = app.signature("add_task", (a, b), queue=queue) | app.signature(
        "sum_multiply_task", (a, b), queue=queue
    )
    result = workflow.apply_async()
    return {"id": result.id, "parent_id": result.parent.id}


def group_save(params):
    """group(add_task(1, 2), multi_task(3, 4)), saved for GroupResult.restore."""
    queue = params["queue"]
    result = group(
        app.signature("add_task", (1, 2), queue=queue),
        app.signature("multi_task", (3, 4), queue=queue),
    ).apply_async()
    result.save()
    return {"group_id": result.id, "children": [child.id for child in result.children]}


def group_restore_get(params):
    restored = GroupResult.restore(params["group_id"], app=app)
    if restored is None:
        return {"error": {"type": "LookupError", "module": "builtins",
                          "message": "no saved group " + params["group_id"]}}
    try:
        value = restored.get(timeout=params["timeout"])
    except Exception as error:
        return {"error": describe(error)}
    return {"result": value, "children": [child.id for child in restored.children]}


def chord(params):
    """chord([add_task(a, b) for each pair], sum_task()): ends with the sum
    of the sums. The header's tasks and the body run on params["queue"]."""
    queue = params["queue"]
    header = [app.signature("add_task", tuple(pair), queue=queue) for pair in params["pairs"]]
    body = app.signature("sum_task", queue=queue)
    result = celery_chord(header)(body)
    return {
        "id": result.id,
        "group_id": result.parent.id,
        "children": [child.id for child in result.parent.children],
    }


COMMANDS = {
    "send_task": send_task,
    "get": get,
    "state": state,
    "chain": chain,
    "group_save": group_save,
    "group_restore_get": group_restore_get,
    "chord": chord,
}


def main(argv):
    if len(argv) != 3 or argv[1] not in COMMANDS:
        sys.stderr.write(
            "usage: client.py {%s} '<json params>'\n" % "|".join(sorted(COMMANDS))
        )
        return 2
    output = COMMANDS[argv[1]](json.loads(argv[2]))
    sys.stdout.write(json.dumps(output) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
