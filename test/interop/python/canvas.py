"""Nested canvases for the interop suite, applied by a Python Celery client:

    /usr/bin/python3 canvas.py run '{"cases": [...], "timeout": 20}'

Every case is applied first, then each result is awaited the way a Celery
user would (`AsyncResult.get()`, `GroupResult.get()`, `GroupResult.restore()`),
so they run side by side. Prints one JSON line: {case: {"result": ...} or
{"error": {"type", "module", "message"}}, plus any ids the case reports}.
"""

import json
import sys

from celery import chain, chord, group
from celery.result import AsyncResult, GroupResult

from interop_app import app

add = app.signature("add_task")
multi = app.signature("multi_task")
total = app.signature("sum_task")
fail = app.signature("fail_task")
errback = app.signature("errback_task")


def s(sig, *args):
    return sig.clone(args=args)


def si(sig, *args):
    return sig.clone(args=args, immutable=True)


def chord_header_chain():
    # 30 + 7
    return chord([s(add, 1, 2) | s(multi, 10), s(add, 3, 4)], s(total)).apply_async()


def chain_of_chords():
    # 6, then [6+10, 6*2] -> 28
    return chain(
        chord([s(add, 1, 1), s(add, 2, 2)], s(total)),
        chord([s(add, 10), s(multi, 2)], s(total)),
    ).apply_async()


def group_of_chains():
    # [6, 21], saved for GroupResult.restore
    result = group(s(add, 1, 2) | s(multi, 2), s(add, 3, 4) | s(multi, 3)).apply_async()
    result.save()
    return result


def chord_in_group():
    # [6, 10]
    return group(chord([s(add, 1, 1), s(add, 2, 2)], s(total)), s(add, 5, 5)).apply_async()


def group_in_chain():
    # 2 -> [4, 6] -> 10: the group followed by a task is a chord
    return (s(add, 1, 1) | group(s(add, 2), s(multi, 3)) | s(total)).apply_async()


def chord_header_group():
    # 2 + 4 + 6
    return chord([group(s(add, 1, 1), s(add, 2, 2)), s(add, 3, 3)], s(total)).apply_async()


def chord_header_chord():
    # (2 + 4) + 6
    return chord([chord([s(add, 1, 1), s(add, 2, 2)], s(total)), s(add, 3, 3)], s(total)).apply_async()


def depth_three():
    # 2 -> [(2+1)*2, (2+3)+(2+4)] -> 6 + 11
    return chain(
        s(add, 1, 1),
        group(s(add, 1) | s(multi, 2), chord([s(add, 3), s(add, 4)], s(total))),
        s(total),
    ).apply_async()


def starmap():
    return app.tasks["add_task"].starmap([(1, 2), (3, 4)]).apply_async()


def xmap():
    return app.tasks["sum_task"].map([[1, 2], [3, 4]]).apply_async()


def xchunks():
    return app.tasks["add_task"].chunks([(1, 2), (3, 4), (5, 6)], 2).apply_async()


def link():
    # the callback's result: (1 + 2) * 10
    callback = s(multi, 10)
    callback.freeze()
    s(add, 1, 2).apply_async(link=callback)
    return app.AsyncResult(callback.id)


def link_error():
    handler = s(errback)
    handler.freeze()
    failed = s(fail, "boom").apply_async(link_error=handler)
    return {"wait": app.AsyncResult(handler.id), "failed_id": failed.id}


def chord_header_fails():
    body = s(total)
    handler = s(errback)
    handler.freeze()
    body.on_error(handler)
    result = chord([s(add, 1, 1), s(fail, "boom")], body).apply_async()
    # .get() on `result` re-raises the failed header part's own error (its
    # parent); the body's stored outcome is the ChordError.
    return {"wait": result, "errback": app.AsyncResult(handler.id),
            "body": app.AsyncResult(result.id),
            "header_ids": [child.id for child in result.parent.children]}


def chord_errback_on_header():
    # What Celery 5.3+'s chord.link_error(errback) does with
    # task_allow_error_cb_on_chord_header=True (5.2.6 has no such setting):
    # the errback on the body, `errback.clone(immutable=True)` on each header
    # task (clone takes `immutable` as an option: the copy is still called
    # with the failed task's id). The copies are frozen here only to read
    # their results afterwards.
    body = s(total)
    handler = s(errback)
    handler.freeze()
    body.on_error(handler)
    header, copies = [], []
    for task in (s(add, 1, 1), s(fail, "boom")):
        copy = errback.clone(immutable=True)
        copy.freeze()
        task.link_error(copy)
        header.append(task)
        copies.append(copy)
    result = chord(header, body).apply_async()
    return {"wait": app.AsyncResult(handler.id), "body_id": result.id,
            "header_ids": [child.id for child in result.parent.children],
            "failed_copy": app.AsyncResult(copies[1].id)}


CASES = {
    "chord_header_chain": chord_header_chain,
    "chain_of_chords": chain_of_chords,
    "group_of_chains": group_of_chains,
    "chord_in_group": chord_in_group,
    "group_in_chain": group_in_chain,
    "chord_header_group": chord_header_group,
    "chord_header_chord": chord_header_chord,
    "depth_three": depth_three,
    "starmap": starmap,
    "map": xmap,
    "chunks": xchunks,
    "link": link,
    "link_error": link_error,
    "chord_header_fails": chord_header_fails,
    "chord_errback_on_header": chord_errback_on_header,
}


def describe(error):
    return {"type": type(error).__name__, "module": type(error).__module__,
            "message": str(error)}


def outcome(result, timeout):
    try:
        return {"result": result.get(timeout=timeout, propagate=True)}
    except Exception as error:  # the canvas's own failure is data
        return {"error": describe(error)}


def run(params):
    timeout = params.get("timeout", 20)
    applied = {name: CASES[name]() for name in params["cases"]}
    out = {}
    for name, sent in applied.items():
        extra = {}
        if isinstance(sent, dict):
            # Other results the case reports are awaited too; ids are data.
            extra = {key: outcome(value, timeout)
                     if isinstance(value, AsyncResult) else value
                     for key, value in sent.items() if key != "wait"}
            sent = sent["wait"]
        out[name] = {**outcome(sent, timeout), **extra, "id": sent.id}
        if isinstance(sent, GroupResult) and name == "group_of_chains":
            restored = GroupResult.restore(sent.id, app=app)
            out[name]["restored"] = None if restored is None else [
                {"id": child.id, **outcome(app.AsyncResult(child.id), timeout)}
                for child in restored.children
            ]
    return out


def main(argv):
    if len(argv) != 3 or argv[1] != "run":
        sys.stderr.write("usage: canvas.py run '<json params>'\n")
        return 2
    sys.stdout.write(json.dumps(run(json.loads(argv[2]))) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
