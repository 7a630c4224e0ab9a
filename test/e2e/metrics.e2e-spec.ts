// GET /metrics on the api and on the worker, against the real RabbitMQ and
// Redis: strict Prometheus text, open without an API key, and counters that
// move with the tasks run.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { awaitResult } from '../utils/await-result';
import { deleteQueue } from '../utils/rabbitmq';
import {
  type PrometheusFamily,
  parsePrometheusText,
} from '../utils/prometheus-text';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `e2e-metrics-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `celeriac-metrics-${randomUUID()}@e2e`,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
  // /metrics stays open (like /health) when /v1 needs a key.
  API_KEYS: `key-${randomUUID()}`,
});

/** The value of the sample with exactly these labels; 0 when absent. */
function valueOf(
  families: Map<string, PrometheusFamily>,
  sample: string,
  labels: Record<string, string>,
): number {
  const family =
    families.get(sample) ??
    families.get(sample.replace(/_(count|sum|bucket)$/, ''));
  const found = family?.samples.find(
    (candidate) =>
      candidate.name === sample &&
      Object.keys(labels).length === Object.keys(candidate.labels).length &&
      Object.entries(labels).every(
        ([key, value]) => candidate.labels[key] === value,
      ),
  );
  return found?.value ?? 0;
}

describe('GET /metrics on the api and the worker', () => {
  let api: INestApplication;
  let worker: INestApplication;

  const scrape = async (app: INestApplication) => {
    const response = await request(app.getHttpServer())
      .get('/metrics')
      .expect(200);
    expect(response.headers['content-type']).toBe(
      'text/plain; version=0.0.4; charset=utf-8',
    );
    return parsePrometheusText(response.text);
  };

  beforeAll(async () => {
    api = await bootApi();
    worker = await bootWorker();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('the api: Prometheus text with process metrics and its own, documented by type and help', async () => {
    const families = await scrape(api);

    expect(families.get('process_cpu_user_seconds_total')?.type).toBe(
      'counter',
    );
    expect(families.get('celeriac_api_task_submissions_total')).toMatchObject({
      type: 'counter',
      help: expect.stringContaining('published'),
    });
    expect(families.get('celeriac_api_publish_confirm_seconds')?.type).toBe(
      'histogram',
    );
  });

  it('is not in the OpenAPI document', async () => {
    const document = await request(api.getHttpServer())
      .get('/docs-json')
      .expect(200);
    expect(Object.keys(document.body.paths)).not.toContain('/metrics');
  });

  it('counters move with the tasks submitted and run', async () => {
    const apiBefore = await scrape(api);
    const workerBefore = await scrape(worker);
    const submitted = (labels: Record<string, string>) =>
      valueOf(apiBefore, 'celeriac_api_task_submissions_total', labels);

    const ids: string[] = [];
    for (const [a, b] of [
      [1, 2],
      [3, 4],
    ]) {
      const published = await request(api.getHttpServer())
        .get(`/solo/add?a=${a}&b=${b}`)
        .expect(200);
      ids.push(published.body.task_id as string);
    }
    for (const id of ids) {
      expect((await awaitResult(api, `/result/${id}`)).body.status).toBe(
        'SUCCESS',
      );
    }

    const apiAfter = await scrape(api);
    const confirmed = { task: 'add_task', queue, outcome: 'confirmed' };
    expect(
      valueOf(apiAfter, 'celeriac_api_task_submissions_total', confirmed),
    ).toBe(submitted(confirmed) + 2);
    expect(
      valueOf(apiAfter, 'celeriac_api_publish_confirm_seconds_count', {
        outcome: 'confirmed',
      }) -
        valueOf(apiBefore, 'celeriac_api_publish_confirm_seconds_count', {
          outcome: 'confirmed',
        }),
    ).toBe(2);

    const workerAfter = await scrape(worker);
    const succeeded = { task: 'add_task', state: 'SUCCESS' };
    expect(
      valueOf(workerAfter, 'celeriac_worker_tasks_total', succeeded) -
        valueOf(workerBefore, 'celeriac_worker_tasks_total', succeeded),
    ).toBe(2);
    expect(
      valueOf(
        workerAfter,
        'celeriac_worker_task_runtime_seconds_count',
        succeeded,
      ) -
        valueOf(
          workerBefore,
          'celeriac_worker_task_runtime_seconds_count',
          succeeded,
        ),
    ).toBe(2);
    expect(
      valueOf(workerAfter, 'celeriac_worker_tasks_in_flight', {
        stage: 'active',
      }),
    ).toBe(0);
    expect(workerAfter.get('celeriac_worker_publishes_total')?.type).toBe(
      'counter',
    );
    expect(workerAfter.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
  });
});
