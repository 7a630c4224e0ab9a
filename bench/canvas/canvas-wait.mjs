// Waiting for a canvas's final result in Redis and checking it: the same
// method as bench/canvas/canvas_celery.py, so both sides are timed alike.
import { setTimeout as sleep } from 'node:timers/promises';

const TIMEOUT_MS = 300_000;
const key = (id) => `celery-task-meta-${id}`;
const READY = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
const POLL_CHUNK = 500;

async function metas(redis, ids) {
  const out = [];
  for (let start = 0; start < ids.length; start += 5000) {
    const values = await redis.mget(...ids.slice(start, start + 5000).map(key));
    out.push(...values.map((value) => (value ? JSON.parse(value) : null)));
  }
  return out;
}

/**
 * The ids of `ids` whose result may not be ready yet. (celeriac writes
 * PENDING for every id at submit, so a key's existence is not enough.)
 * Results come roughly in submit order, so it reads a chunk at a time and
 * stops at the first chunk with one not ready: a poll costs one chunk, not
 * every id (a client reading 10 000 results per poll took CPU from the
 * worker it measured). canvas_celery.py polls the same way.
 */
async function notReady(redis, ids) {
  for (let start = 0; start < ids.length; start += POLL_CHUNK) {
    const chunk = ids.slice(start, start + POLL_CHUNK);
    const all = await metas(redis, chunk);
    const waiting = chunk.filter((_, index) => !READY.has(all[index]?.status));
    if (waiting.length > 0) {
      return [...waiting, ...ids.slice(start + POLL_CHUNK)];
    }
  }
  return [];
}

async function untilReady(redis, id, deadline) {
  while (Date.now() < deadline) {
    const raw = await redis.get(key(id));
    const meta = raw ? JSON.parse(raw) : null;
    if (meta && READY.has(meta.status)) return meta;
    await sleep(5);
  }
  throw new Error(`no final result for ${id}`);
}

/** Per-step gaps (ms) between consecutive `date_done`s of a chain. */
function stepGaps(all) {
  const done = all
    .map((meta) => meta?.date_done)
    .filter(Boolean)
    .map((text) => Date.parse(/[Z+]/.test(text.slice(19)) ? text : `${text}Z`))
    .sort((a, b) => a - b);
  return done.slice(1).map((time, index) => time - done[index]);
}

/**
 * Resolves with `{ seconds, parts, lost, ok, ... }` once the shape's final
 * result is there: every member of a group, the chord body's, the chain's last.
 */
export async function waitForCanvas(
  redis,
  { shape, started, finalId, ids, size, expected },
) {
  const deadline = Date.now() + TIMEOUT_MS;
  if (shape === 'group') {
    let waiting = ids;
    while ((waiting = await notReady(redis, waiting)).length > 0) {
      if (Date.now() > deadline) throw new Error('group results missing');
      await sleep(10);
    }
    const seconds = (performance.now() - started) / 1000;
    const all = await metas(redis, ids);
    const good = all.filter((meta) => meta?.status === 'SUCCESS');
    const sum = good.reduce((total, meta) => total + meta.result, 0);
    await redis.unlink(...ids.map(key));
    return {
      seconds,
      parts: ids.length,
      lost: ids.length - good.length,
      sum,
      ok: good.length === ids.length && sum === expected,
    };
  }
  const meta = await untilReady(redis, finalId, deadline);
  const seconds = (performance.now() - started) / 1000;
  if (shape === 'chord') {
    const list = Array.isArray(meta.result) ? meta.result : [];
    const sum = list.reduce((total, value) => total + value, 0);
    await redis.unlink(...ids.map(key));
    return {
      seconds,
      status: meta.status,
      parts: list.length,
      lost: size - list.length,
      sum,
      ok: meta.status === 'SUCCESS' && sum === expected,
    };
  }
  const gaps = stepGaps(await metas(redis, ids));
  gaps.sort((a, b) => a - b);
  await redis.unlink(...ids.map(key));
  return {
    seconds,
    status: meta.status,
    steps: ids.length,
    result: meta.result,
    ok: meta.status === 'SUCCESS' && meta.result === expected,
    perStepMs: (seconds * 1000) / ids.length,
    stepGapP50Ms: gaps.length ? gaps[Math.floor(gaps.length / 2)] : null,
  };
}
