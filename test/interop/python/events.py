"""Celery's event receiver (app.events.Receiver) for the interop suite:

    /usr/bin/python3 events.py '<json params>'

Declares its celeryev.<uuid> queue, prints READY, collects every event
(handlers={'*': ...}) for params["seconds"] seconds, then prints exactly
one JSON line, {"events": [...]}.
"""

import json
import socket
import sys
import time

from interop_app import app


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    seconds = float(params.get("seconds", 8))
    events = []
    with app.connection() as connection:
        receiver = app.events.Receiver(connection, handlers={})
        deadline = time.monotonic() + seconds

        def on_event(event):
            events.append(event)
            if time.monotonic() >= deadline:
                receiver.should_stop = True

        receiver.handlers = {"*": on_event}
        receiver.queue.bind(connection.default_channel).declare()
        print("READY", flush=True)
        try:
            receiver.capture(limit=None, timeout=seconds, wakeup=False)
        except socket.timeout:
            pass
    print(json.dumps({"events": events}), flush=True)


if __name__ == "__main__":
    main()
