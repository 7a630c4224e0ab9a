import { parseWorkerPool } from './worker-pool';

describe(parseWorkerPool.name, () => {
  it.each([
    ['event-loop', 'event-loop'],
    ['solo', 'event-loop'],
    ['processes', 'processes'],
    ['prefork', 'processes'],
    ['threads', 'threads'],
  ])("reads WORKER_POOL=%s as the '%s' pool", (name, kind) => {
    expect(parseWorkerPool(name)).toBe(kind);
  });

  it('refuses a pool celeriac does not have (gevent)', () => {
    expect(() => parseWorkerPool('gevent')).toThrow(
      "unknown worker pool 'gevent'",
    );
  });
});
