import SwaggerParser from '@apidevtools/swagger-parser';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { auditOperations, auditProblems } from '../utils/openapi-audit';
import { deleteQueue } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-openapi-${randomUUID()}`;
useEnvironment({ TASK_DEFAULT_QUEUE: queue });

describe('the OpenAPI document at /docs-json', () => {
  let api: INestApplication;
  let document: OpenAPIObject;

  beforeAll(async () => {
    api = await bootApi();
    const response = await request(api.getHttpServer())
      .get('/docs-json')
      .expect(200);
    document = response.body as OpenAPIObject;
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // validate() dereferences in place: give it a copy.
    await expect(
      SwaggerParser.validate(structuredClone(document) as never),
    ).resolves.toBeDefined();
  });

  it('documents every route of the api', () => {
    // Guards the audit below against passing on an empty document.
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/',
        '/solo/add',
        '/result/{task_id}',
        '/health/live',
        '/health/ready',
        '/v1/tasks',
        '/v1/tasks/batch',
        '/v1/tasks/{task_id}',
        '/v1/tasks/{task_id}/events',
        '/v1/workflows',
        '/v1/groups/{group_id}',
        '/v1/schedules',
        '/v1/schedules/{name}',
      ]),
    );
  });

  it('gives every operation a summary, a schema per response code and an example', () => {
    // One list, so a failure names every offender at once.
    expect(auditOperations(document)).toEqual([]);
  });

  it('answers every 4xx and 5xx with a ProblemDto as application/problem+json', () => {
    expect(
      auditProblems(
        document,
        'application/problem+json',
        '#/components/schemas/ProblemDto',
      ),
    ).toEqual([]);
  });
});
