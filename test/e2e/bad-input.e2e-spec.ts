import type { INestApplication } from '@nestjs/common';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { type BadInputCase, loadBadInputCases } from '../utils/bad-input-cases';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

// No worker: nothing here may get as far as running.
const queue = `test-bad-input-${randomUUID()}`;
useEnvironment({ TASK_DEFAULT_QUEUE: queue });

const cases = loadBadInputCases(
  join(process.cwd(), 'test', 'fixtures', 'bad-input'),
);

// Longer than any honest answer: a case that takes this long hangs.
const HANG_MS = 10_000;
// A stack frame, or a path of the server's own files.
const LEAKS = [/\n\s+at /, /\.(?:[cm]?js|ts):\d+/, /node_modules/];
const PRINTABLE_ID = /^[\x20-\x7e]{1,128}$/;

describe('the api against a corpus of bad input', () => {
  let api: INestApplication;

  beforeAll(async () => {
    api = await bootApi();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('loads the corpus', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, badInput) => {
      const response = await send(api, badInput);
      const { status } = response;
      // The parser below keeps the body as text.
      const text = response.body as string;
      // Status and body in one string, so a failure shows what came back.
      expect(`${status} ${text.slice(0, 500)}`).toMatch(
        badInput.status ? new RegExp(`^${badInput.status} `) : /^4\d\d /,
      );
      expect(response.headers['content-type']).toMatch(
        /^application\/problem\+json\b/,
      );
      const problem = JSON.parse(text) as Record<string, unknown>;
      expect(problem).toEqual(
        expect.objectContaining({
          status: response.status,
          title: expect.any(String),
          code: expect.any(String),
          detail: expect.any(String),
        }),
      );
      // The instance echoes the URL, which may look like a path on purpose.
      const { instance: _instance, ...rest } = problem;
      for (const leak of LEAKS) {
        expect(JSON.stringify(rest)).not.toMatch(leak);
      }
      expect(response.headers['x-request-id']).toMatch(PRINTABLE_ID);
    },
    HANG_MS + 5_000,
  );

  it('still answers /health/live afterwards', async () => {
    await request(api.getHttpServer()).get('/health/live').expect(200);
  });

  it('published nothing', async () => {
    expect(await messagesIn(queue)).toBe(0);
  });
});

function send(api: INestApplication, badInput: BadInputCase) {
  const http = request(api.getHttpServer());
  const method = badInput.method.toLowerCase() as
    'get' | 'post' | 'put' | 'patch' | 'delete';
  let call = http[method](badInput.path)
    .set(badInput.headers)
    .timeout(HANG_MS)
    // Keep every body as text: a problem body is checked by hand.
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
  if (badInput.body !== undefined) {
    call = call.send(badInput.body);
  }
  return call;
}

/** Messages waiting in `name`; 0 when nobody declared it. */
async function messagesIn(name: string): Promise<number> {
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createChannel();
    // A missing queue closes the channel; that is an answer too.
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(name)).messageCount;
    } catch {
      return 0;
    }
  } finally {
    await connection.close();
  }
}
