"""The seed's FastAPI side, replicated for the benchmark's comparison phase.

Served as ``uvicorn seed_api:app --loop uvloop --http httptools``, one process,
as ``uvicorn[standard]`` runs it. The endpoints the bench drives, with the
seed's bodies and status codes: ``GET /``, ``GET /solo/add`` and
``GET /result/{task_id}`` (200 when done, 202 while not).
"""
import random

from celery.result import AsyncResult
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from seed_celery import QUEUE, celery_app

app = FastAPI()


@app.get("/")
async def root():
    return {"message": "Hello World"}


@app.get("/solo/add")
async def solo_add():
    a = random.randint(1, 100)
    b = random.randint(1, 100)
    task = celery_app.send_task("add_task", kwargs={"a": a, "b": b}, queue=QUEUE)
    return {
        "message": f"FastAPI : a={a}, b={b} Published to the queue",
        "task_id": task.id,
    }


@app.get("/result/{task_id}")
async def get_result(task_id: str):
    try:
        result = AsyncResult(task_id, app=celery_app)
        if result.ready():
            return JSONResponse(
                status_code=200,
                content={
                    "task_id": task_id,
                    "status": result.status,
                    "result": result.result,
                },
            )
        return JSONResponse(
            status_code=202,
            content={"task_id": task_id, "status": result.status},
        )
    except Exception as error:  # the seed's 500 when the backend cannot answer
        return JSONResponse(status_code=500, content={"detail": str(error)})
