import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { pollUntil } from './poll-until';

/**
 * GETs a `/result/...` path of the api until it is no longer 202 (running)
 * or 404 (not written yet), and returns that answer.
 */
export function awaitResult(
  api: INestApplication,
  path: string,
): Promise<Response> {
  return pollUntil(
    () => request(api.getHttpServer()).get(path),
    (response) => response.status !== 202 && response.status !== 404,
  );
}
