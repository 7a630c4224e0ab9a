import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { CeleryServer } from '@celeriac/broker';
import {
  DeadLetters,
  RequestAdmission,
  TaskExecutor,
  TaskSettlement,
  TaskTracer,
  WorkerControl,
  WorkerEvents,
  WorkerPidbox,
} from '@celeriac/worker';
import { useEnvironment } from '../utils/boot-apps';

const queue = `test-engine-boundary-${randomUUID()}`;
useEnvironment({ TASK_DEFAULT_QUEUE: queue, WORKER_QUEUES: queue });

/** The worker engine's parts (libs/worker): only the worker builds them. */
const ENGINE: Type[] = [
  TaskExecutor,
  RequestAdmission,
  TaskTracer,
  TaskSettlement,
  DeadLetters,
  WorkerControl,
  WorkerPidbox,
  WorkerEvents,
  CeleryServer,
];

/** The engine's parts an app's module graph holds, by class name. */
async function engineParts(load: () => Promise<Type>): Promise<string[]> {
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [await load()],
  }).compile();
  try {
    return ENGINE.filter((part) => {
      try {
        moduleRef.get(part, { strict: false });
        return true;
      } catch {
        return false;
      }
    }).map((part) => part.name);
  } finally {
    await moduleRef.close();
  }
}

describe('the worker engine lives in the worker only', () => {
  it('is not built by the api', async () => {
    const parts = await engineParts(
      async () => (await import('../../apps/api/src/api.module.js')).ApiModule,
    );
    expect(parts).toEqual([]);
  });

  it('is not built by the monitor', async () => {
    const parts = await engineParts(
      async () =>
        (await import('../../apps/monitor/src/monitor.module.js'))
          .MonitorModule,
    );
    expect(parts).toEqual([]);
  });

  it('is not built by beat', async () => {
    const parts = await engineParts(
      async () =>
        (await import('../../apps/beat/src/beat.module.js')).BeatModule,
    );
    expect(parts).toEqual([]);
  });

  it('is built, every part of it, by the worker', async () => {
    const parts = await engineParts(
      async () =>
        (await import('../../apps/worker/src/worker.module.js')).WorkerModule,
    );
    expect(parts).toEqual(ENGINE.map((part) => part.name));
  });
});
