"""Celery's remote control client (app.control) for the interop suite, one
command per run:

    /usr/bin/python3 control.py <command> '<json params>'

It prints exactly one JSON line on stdout, {"replies": <what Celery
returned>}. Destinations may name a Python worker as `name@%h`: they are
expanded as the worker expands its -n option.
"""

import json
import sys

from celery.utils.nodenames import host_format

from interop_app import app


def destination(params):
    nodes = params.get("destination")
    return None if nodes is None else [host_format(node) for node in nodes]


def ping(params):
    """app.control.ping(destination, timeout)."""
    return app.control.ping(
        destination=destination(params), timeout=params.get("timeout", 2)
    )


def revoke(params):
    """app.control.revoke(task_id, terminate, destination, reply=True)."""
    options = {"signal": params["signal"]} if "signal" in params else {}
    return app.control.revoke(
        params["task_id"],
        terminate=params.get("terminate", False),
        destination=destination(params),
        reply=True,
        timeout=params.get("timeout", 2),
        **options,
    )


def broadcast(params):
    """app.control.broadcast(command, arguments, ...): any command, with or
    without replies, by destination or by pattern and matcher."""
    options = {
        key: params[key] for key in ("pattern", "matcher") if key in params
    }
    return app.control.broadcast(
        params["command"],
        arguments=params.get("arguments", {}),
        destination=destination(params),
        reply=params.get("reply", False),
        timeout=params.get("timeout", 2),
        **options,
    )


def rate_limit(params):
    """app.control.rate_limit(task_name, rate_limit, destination, reply=True)."""
    return app.control.rate_limit(
        params["task_name"],
        params["rate_limit"],
        destination=destination(params),
        reply=True,
        timeout=params.get("timeout", 2),
    )


COMMANDS = {
    "ping": ping,
    "revoke": revoke,
    "broadcast": broadcast,
    "rate_limit": rate_limit,
}


def main(argv):
    if len(argv) != 3 or argv[1] not in COMMANDS:
        sys.stderr.write(
            "usage: control.py {%s} '<json params>'\n" % "|".join(sorted(COMMANDS))
        )
        return 2
    replies = COMMANDS[argv[1]](json.loads(argv[2]))
    sys.stdout.write(json.dumps({"replies": replies}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
