import type { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { launchChromium } from '../utils/chromium';
import { deleteQueue } from '../utils/rabbitmq';
import { teardown } from '../utils/teardown';

// Swagger UI in a real browser: Debian's Chromium (the e2e globalSetup
// installs it when missing; Playwright downloads nothing) drives /docs of
// the real api, listening on a real port, with a real worker behind it.
const queue = `test-swagger-ui-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_CONCURRENCY: '1',
  // add_task takes 2 s instead of 20.
  TASK_TIME_SCALE: '0.1',
  RESULT_EXPIRES: '300',
});

const SCREENSHOT = join(
  process.cwd(),
  'test-results',
  'swagger-ui-try-it-out.png',
);
const UI_TIMEOUT = 20_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

// Chromium's start, the UI, and the task's 2 s: more than the default 30 s.
const TEST_TIMEOUT = 90_000;

describe('Swagger UI in headless Chromium', () => {
  let api: INestApplication;
  let worker: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  let baseUrl: string;

  beforeAll(async () => {
    api = await bootApi();
    await api.listen(0, '127.0.0.1');
    const { port } = api.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    worker = await bootWorker();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, TEST_TIMEOUT);

  afterAll(
    () =>
      teardown(
        () => browser?.close(),
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEST_TIMEOUT,
  );

  it(
    'runs "Try it out" on POST /v1/tasks: 202 with a task_id, and the task succeeds',
    async () => {
      await page.goto(`${baseUrl}/docs`);
      await page
        .locator('.swagger-ui .info .title', { hasText: 'celeriac api' })
        .waitFor({ timeout: UI_TIMEOUT });

      const operation = page.locator('.opblock.opblock-post').filter({
        has: page.locator('.opblock-summary-path[data-path="/v1/tasks"]'),
      });
      await operation
        .locator('.opblock-summary-control')
        .click({ timeout: UI_TIMEOUT });
      await operation
        .getByRole('button', { name: 'Try it out' })
        .click({ timeout: UI_TIMEOUT });

      const body = operation.locator('textarea.body-param__text');
      await body.fill('{"task": "add_task", "args": [2, 3]}', {
        timeout: UI_TIMEOUT,
      });
      await operation
        .getByRole('button', { name: 'Execute' })
        .click({ timeout: UI_TIMEOUT });

      const live = operation.locator('.live-responses-table tbody tr.response');
      const code = live.locator('td.response-col_status');
      await code.waitFor({ timeout: UI_TIMEOUT });
      expect((await code.innerText()).trim()).toBe('202');
      const responseBody = live
        .locator('.response-col_description .highlight-code pre')
        .filter({ hasText: 'task_id' });
      await responseBody.waitFor({ timeout: UI_TIMEOUT });
      const submitted = JSON.parse(await responseBody.innerText()) as {
        task_id: string;
        status_url: string;
      };
      expect(submitted.task_id).toMatch(new RegExp(`^${UUID.source}$`));
      expect(submitted.status_url).toBe(`/v1/tasks/${submitted.task_id}`);

      mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      const done = await request(api.getHttpServer())
        .get(`/v1/tasks/${submitted.task_id}?wait=20`)
        .expect(200);
      expect(done.body).toMatchObject({
        task_id: submitted.task_id,
        status: 'SUCCESS',
        result: 5,
      });
    },
    TEST_TIMEOUT,
  );
});
