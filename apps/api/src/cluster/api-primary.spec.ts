import { jest } from '@jest/globals';
import { Counter, Registry } from 'prom-client';
import { SIGNAL_ECHO_WINDOW_MS } from '@celeriac/config';
import { FakeCluster } from '../../../../test/fakes/cluster.fake';
import { ApiPrimary, PRIMARY_SIGNAL_ECHO_WINDOW_MS } from './api-primary';
import {
  METRICS_GATHER,
  METRICS_PART,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsJson,
} from './metrics-messages';
import { RestartPolicy } from './restart-policy';

const POLICY = { firstDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 30_000 };

describe(ApiPrimary.name, () => {
  let cluster: FakeCluster;
  let logs: { level: string; fields: Record<string, unknown> }[];
  let exits: number[];

  function startPrimary(processes = 2): ApiPrimary {
    const record = (level: string) => (fields: object) =>
      logs.push({ level, fields: fields as Record<string, unknown> });
    const primary = new ApiPrimary(
      cluster,
      { info: record('info'), warn: record('warn'), error: record('error') },
      {
        processes,
        workerEnv: { API_RATE_LIMIT_STORE: 'redis' },
        exit: (code) => exits.push(code),
        policy: new RestartPolicy(POLICY),
        gatherTimeoutMs: 500,
      },
    );
    primary.start();
    return primary;
  }

  function listenAll(): void {
    cluster.alive.forEach((worker) => cluster.listen(worker));
  }

  beforeEach(() => {
    jest.useFakeTimers();
    cluster = new FakeCluster();
    logs = [];
    exits = [];
  });

  afterEach(() => jest.useRealTimers());

  it('forks the workers with their environment', () => {
    startPrimary(3);
    expect(cluster.forked).toHaveLength(3);
    expect(cluster.forked[0].env).toEqual({ API_RATE_LIMIT_STORE: 'redis' });
  });

  it('replaces a worker that died, after the backoff, and logs why', () => {
    startPrimary();
    listenAll();
    cluster.exit(cluster.forked[0], null, 'SIGKILL');

    expect(logs).toContainEqual({
      level: 'error',
      fields: expect.objectContaining({
        msg: 'api worker died; restarting it',
        workerPid: cluster.forked[0].process.pid,
        signal: 'SIGKILL',
        restartInMs: 100,
      }) as unknown,
    });
    jest.advanceTimersByTime(99);
    expect(cluster.forked).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(cluster.forked).toHaveLength(3);
    expect(cluster.alive).toHaveLength(2);
    expect(exits).toEqual([]);
  });

  it('passes SIGTERM on to every worker and exits 0 once all have drained', () => {
    const primary = startPrimary();
    listenAll();
    primary.onSignal('SIGTERM');

    expect(cluster.forked.map((worker) => worker.signals)).toEqual([
      ['SIGTERM'],
      ['SIGTERM'],
    ]);
    cluster.exit(cluster.forked[0], 0);
    expect(exits).toEqual([]);
    cluster.exit(cluster.forked[1], 0);
    expect(exits).toEqual([0]);
    expect(cluster.forked).toHaveLength(2);
  });

  it('exits 1 when a worker did not drain cleanly', () => {
    const primary = startPrimary();
    listenAll();
    primary.onSignal('SIGINT');
    cluster.exit(cluster.forked[0], 0);
    cluster.exit(cluster.forked[1], 1);
    expect(exits).toEqual([1]);
  });

  it("ignores the first signal's echo, and passes a second signal on as a cold shutdown", () => {
    const primary = startPrimary(1);
    listenAll();
    const [worker] = cluster.forked;
    primary.onSignal('SIGINT');
    jest.advanceTimersByTime(PRIMARY_SIGNAL_ECHO_WINDOW_MS - 1);
    primary.onSignal('SIGINT');
    expect(worker.signals).toEqual(['SIGINT']);

    jest.advanceTimersByTime(1);
    primary.onSignal('SIGINT');
    expect(worker.signals).toEqual(['SIGINT', 'SIGINT']);
    cluster.exit(worker, 0);
    expect(exits).toEqual([1]);
  });

  it('drops a pending restart on shutdown and exits at once with no worker left', () => {
    const primary = startPrimary(1);
    listenAll();
    cluster.exit(cluster.forked[0], 1);
    primary.onSignal('SIGTERM');
    expect(exits).toEqual([0]);
    jest.advanceTimersByTime(POLICY.maxDelayMs);
    expect(cluster.forked).toHaveLength(1);
  });

  it('stops the api with exit 1 when a worker dies before any has listened', () => {
    startPrimary();
    const [broken, other] = cluster.forked;
    cluster.exit(broken, 1);

    expect(other.signals).toEqual(['SIGTERM']);
    expect(logs).toContainEqual({
      level: 'error',
      fields: expect.objectContaining({
        msg: 'api worker failed to start; stopping the api',
      }) as unknown,
    });
    cluster.exit(other, 0);
    expect(exits).toEqual([1]);
    jest.advanceTimersByTime(POLICY.maxDelayMs);
    expect(cluster.forked).toHaveLength(2);
  });

  it("answers a worker's /metrics with every listening worker's registry summed, and its own", async () => {
    startPrimary();
    listenAll();
    cluster.exit(cluster.forked[1], null, 'SIGKILL');
    jest.advanceTimersByTime(POLICY.firstDelayMs);
    const [asker, , booting] = cluster.forked;

    cluster.message(asker, { type: METRICS_REQUEST, id: 7 });
    const gathers = asker.sent.filter(isGather);
    expect(gathers).toHaveLength(1);
    expect(booting.sent.filter(isGather)).toHaveLength(0);
    cluster.message(asker, {
      type: METRICS_PART,
      id: gathers[0].id,
      metrics: await submissions(5),
    });
    await jest.advanceTimersByTimeAsync(0);

    const reply = asker.sent.find(isReply);
    expect(reply).toMatchObject({ type: METRICS_REPLY, id: 7 });
    expect(reply?.text).toContain('test_submissions_total 5');
    expect(reply?.text).toContain('celeriac_api_worker_restarts_total 1');
    expect(reply?.text).toContain('celeriac_api_processes 1');
  });

  it('leaves out a worker that does not answer in time', async () => {
    startPrimary();
    listenAll();
    const [asker, silent] = cluster.forked;
    cluster.message(asker, { type: METRICS_REQUEST, id: 1 });
    const gather = asker.sent.find(isGather);
    expect(silent.sent.filter(isGather)).toHaveLength(1);
    cluster.message(asker, {
      type: METRICS_PART,
      id: gather?.id,
      metrics: await submissions(2),
    });
    await jest.advanceTimersByTimeAsync(500);
    expect(asker.sent.find(isReply)?.text).toContain(
      'test_submissions_total 2',
    );
  });

  it('keeps the echo window of exitOnSignals', () => {
    expect(PRIMARY_SIGNAL_ECHO_WINDOW_MS).toBe(SIGNAL_ECHO_WINDOW_MS);
  });
});

function isGather(message: unknown): message is { id: number } {
  return (message as { type?: string }).type === METRICS_GATHER;
}

function isReply(message: unknown): message is { id: number; text?: string } {
  return (message as { type?: string }).type === METRICS_REPLY;
}

async function submissions(count: number): Promise<MetricsJson> {
  const registry = new Registry();
  new Counter({
    name: 'test_submissions_total',
    help: 'test',
    registers: [registry],
  }).inc(count);
  return registry.getMetricsAsJSON();
}
