"""The Python side of the interop suite: a Celery app configured like the
seed (RabbitMQ broker, Redis results, JSON only), with the seed's tasks and
a few test-only ones. Names match celeriac's tasks exactly, so either side
can run what the other sends.

Environment: BROKER_URL, RESULT_BACKEND_URL, INTEROP_QUEUE (the default
queue, unique per test file), TASK_TIME_SCALE (multiplies the seed's sleeps;
0 by default so the tests do not wait), INTEROP_QUEUE_TYPE (`quorum` declares
INTEROP_QUEUE as a quorum queue, as celeriac's TASK_QUEUE_TYPE=quorum does).
"""

import os
import time

from celery import Celery
from kombu import Exchange, Queue

app = Celery(
    "interop_app",
    broker=os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get("RESULT_BACKEND_URL", "redis://127.0.0.1:6379/0"),
)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    task_default_queue=os.environ.get("INTEROP_QUEUE", "celery"),
    result_expires=300,
    broker_connection_retry_on_startup=True,
)

if os.environ.get("INTEROP_QUEUE_TYPE") == "quorum":
    # A Celery 5.2 worker sets a global QoS on RabbitMQ, which quorum queues
    # refuse (540 NOT_IMPLEMENTED); telling it RabbitMQ follows the spec's
    # QoS semantics makes it set a per-consumer one, as Celery 5.5 does with
    # worker_detect_quorum_queues.
    from kombu.transport import pyamqp

    pyamqp.Transport.qos_semantics_matches_spec = lambda self, connection: True
    # Celery 5.2 has no task_default_queue_type: the queue says it itself.
    _name = app.conf.task_default_queue
    app.conf.task_queues = [
        Queue(
            _name,
            Exchange(_name, "direct"),
            routing_key=_name,
            queue_arguments={"x-queue-type": "quorum"},
        )
    ]

TIME_SCALE = float(os.environ.get("TASK_TIME_SCALE", "0"))


def pause(seconds):
    if TIME_SCALE > 0:
        time.sleep(seconds * TIME_SCALE)


@app.task(name="add_task")
def add_task(a, b):
    pause(20)
    return a + b


@app.task(name="multi_task")
def multi_task(a, b):
    pause(2)
    return a * b


@app.task(name="sum_multiply_task")
def sum_multiply_task(total, a, b):
    pause(2)
    return [total * a, total * b]


@app.task(name="fail_task")
def fail_task(message):
    raise ValueError(message)


@app.task(name="sum_task")
def sum_task(values):
    return sum(values)


@app.task(name="request_info", bind=True)
def request_info(self):
    return {
        "retries": self.request.retries,
        "timelimit": list(self.request.timelimit or [None, None]),
    }


@app.task(name="errback_task")
def errback_task(task_id):
    """An errback as Celery sends it (old style): the failed task's id."""
    return "errback for " + task_id
