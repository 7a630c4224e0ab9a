// API_PROCESSES=2: the built api as a cluster primary with two workers on
// one port, against the real RabbitMQ and Redis. Every request here opens a
// connection of its own, so the primary deals them out to both workers.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { deleteQueue } from '../utils/rabbitmq';
import { pollUntil } from '../utils/poll-until';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';
import { API_APP, type LogLine, WorkerProcess } from '../utils/worker-process';

const queue = `test-api-cluster-${randomUUID()}`;
const LIMIT = 4;
const LIMITED_KEY = `cluster-limited-${randomUUID()}`;
const IDEMPOTENT_KEY = `cluster-idempotent-${randomUUID()}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('the api on two processes (API_PROCESSES=2)', () => {
  let api: WorkerProcess;

  /** One request on a connection of its own (no keep-alive). */
  function send(
    path: string,
    {
      method = 'GET',
      headers = {},
      body,
    }: {
      method?: string;
      headers?: Record<string, string>;
      body?: unknown;
    } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: api.healthPort,
          path,
          method,
          agent: false,
          headers: {
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json' }),
            ...headers,
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: text,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  const primaryLogs = (msg: string): LogLine[] =>
    api
      .logs()
      .filter((line) => line.context === 'ApiPrimary' && line.msg === msg);
  const listeningPids = (): number[] =>
    primaryLogs('api worker listening').map((line) => line.workerPid as number);
  /** The pids that logged these request ids (pino's request log). */
  const answeredBy = (requestIds: string[]): Set<number> =>
    new Set(
      api
        .logs()
        .filter((line) =>
          requestIds.includes(
            (line.req as { id?: string } | undefined)?.id ?? '',
          ),
        )
        .map((line) => line.pid as number),
    );

  async function addTasks(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let sent = 0; sent < count; sent++) {
      const id = randomUUID();
      ids.push(id);
      const answer = await send('/solo/add?a=1&b=2', {
        headers: { 'x-request-id': id },
      });
      expect(answer.status).toBe(200);
    }
    return ids;
  }

  async function confirmedSubmissions(): Promise<number> {
    const answer = await send('/metrics');
    expect(answer.status).toBe(200);
    const line = answer.body
      .split('\n')
      .find(
        (text) =>
          text.startsWith('celeriac_api_task_submissions_total{') &&
          text.includes(`queue="${queue}"`) &&
          text.includes('outcome="confirmed"'),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  beforeAll(async () => {
    api = await WorkerProcess.start(
      {
        API_PROCESSES: '2',
        TASK_DEFAULT_QUEUE: queue,
        API_KEYS: `${LIMITED_KEY},${IDEMPOTENT_KEY}`,
        // The default store (memory) would be per process: the primary moves it to Redis.
        API_RATE_LIMIT: String(LIMIT),
        API_RATE_LIMIT_WINDOW: '60',
      },
      API_APP,
    );
    await pollUntil(
      () => Promise.resolve(listeningPids().length),
      (count) => count === 2,
    );
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => api?.stop(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('answers from two worker processes, and /metrics counts what both published', async () => {
    const before = await confirmedSubmissions();
    const requestIds = await addTasks(6);

    const pids = answeredBy(requestIds);
    expect([...pids].sort()).toEqual([...listeningPids()].sort());
    expect(pids).not.toContain(api.pid);
    expect(await confirmedSubmissions()).toBe(before + 6);
  });

  it('spends one rate-limit budget across both processes', async () => {
    const submit = () =>
      send('/v1/tasks', {
        method: 'POST',
        headers: { authorization: `Bearer ${LIMITED_KEY}` },
        body: { task: 'add_task', args: [1, 2] },
      });
    for (let sent = 0; sent < LIMIT; sent++) {
      expect((await submit()).status).toBe(202);
    }
    const refused = await submit();
    expect(refused.status).toBe(429);
    expect((await submit()).status).toBe(429);
  });

  it('replays an Idempotency-Key whichever process answers', async () => {
    const idempotencyKey = randomUUID();
    const submit = () =>
      send('/v1/tasks', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${IDEMPOTENT_KEY}`,
          'idempotency-key': idempotencyKey,
        },
        body: { task: 'add_task', args: [2, 3] },
      });
    const first = await submit();
    const second = await submit();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(JSON.parse(second.body)).toEqual(JSON.parse(first.body));
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('replaces a worker killed with SIGKILL, answering all along', async () => {
    const [victim, survivor] = listeningPids();
    process.kill(victim, 'SIGKILL');
    const died = await pollUntil(
      () => Promise.resolve(primaryLogs('api worker died; restarting it')),
      (lines) => lines.length > 0,
    );
    expect(died[0]).toMatchObject({ workerPid: victim, signal: 'SIGKILL' });

    let answered = 0;
    while (listeningPids().length < 3) {
      await addTasks(1);
      answered++;
    }
    expect(answered).toBeGreaterThan(0);
    const replacement = listeningPids()[2];
    expect(replacement).not.toBe(victim);

    const pids = answeredBy(await addTasks(4));
    expect([...pids].sort()).toEqual([survivor, replacement].sort());
  });

  it('drains both workers on SIGTERM to the primary and exits 0, answering every request it took', async () => {
    const workers = listeningPids().slice(1);
    const inFlight = Array.from({ length: 12 }, () =>
      send('/solo/add?a=2&b=2').then(
        ({ status }) => status,
        // A connection the primary accepted after the signal is one no
        // worker took: it is reset, as a single process would refuse it.
        (error: NodeJS.ErrnoException) => error.code ?? 'error',
      ),
    );
    await Promise.race(inFlight);
    api.signal('SIGTERM');

    // Every request a worker took is answered in full: 200, never a 5xx.
    const answers = await Promise.all(inFlight);
    expect(answers).toContain(200);
    for (const answer of answers) {
      expect([200, 'ECONNRESET', 'ECONNREFUSED']).toContain(answer);
    }
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(primaryLogs('api worker exited').map((line) => line.code)).toEqual([
      0, 0,
    ]);
    for (const pid of workers) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
