import {
  applyWorkerEvent,
  emptyWorker,
  isAlive,
  presentWorker,
} from './worker-record';

describe('worker liveness (celery.events.state.Worker.alive)', () => {
  it('is alive within freq * 2 (+ slack) of the last heartbeat', () => {
    const worker = emptyWorker('w@h');
    applyWorkerEvent(worker, 'heartbeat', {
      local_received: 100,
      freq: 2,
      active: 1,
    });

    expect(isAlive(worker, 104.9)).toBe(true);
    expect(isAlive(worker, 105.1)).toBe(false);
    expect(worker.active).toBe(1);
  });

  it('is offline right after worker-offline', () => {
    const worker = emptyWorker('w@h');
    applyWorkerEvent(worker, 'online', { local_received: 100, freq: 2 });
    applyWorkerEvent(worker, 'offline', { local_received: 101 });

    expect(isAlive(worker, 101)).toBe(false);
    expect(presentWorker(worker, 101)).toMatchObject({
      online: false,
      lastHeartbeat: null,
    });
  });

  it("counts a task event as a heartbeat at the worker's last freq", () => {
    const worker = emptyWorker('w@h');
    applyWorkerEvent(worker, null, { local_received: 100 });

    // Never sent a worker event: Celery's default freq of 60 s.
    expect(isAlive(worker, 150)).toBe(true);
  });

  it('keeps the last four heartbeats', () => {
    const worker = emptyWorker('w@h');
    for (const at of [1, 2, 3, 4, 5]) {
      applyWorkerEvent(worker, 'heartbeat', { local_received: at });
    }

    expect(worker.heartbeats).toEqual([2, 3, 4, 5]);
  });

  it('presents the dashboard fields', () => {
    const worker = emptyWorker('w@h');
    applyWorkerEvent(worker, 'heartbeat', {
      local_received: 100,
      freq: 2,
      processed: 7,
      loadavg: [0.1, 0.2, 0.3],
      sw_ident: 'py-celery',
      sw_ver: '5.2.6',
      pid: 42,
    });

    expect(presentWorker(worker, 101)).toEqual({
      hostname: 'w@h',
      online: true,
      lastHeartbeat: 100,
      heartbeatAgeSeconds: 1,
      active: 0,
      processed: 7,
      loadavg: [0.1, 0.2, 0.3],
      swIdent: 'py-celery',
      swVer: '5.2.6',
      pid: 42,
      freq: 2,
    });
  });
});
