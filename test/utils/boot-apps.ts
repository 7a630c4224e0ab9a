import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolve } from 'node:path';
import { CeleryServer } from '@celeriac/broker';
import { POOL_CHILD_ENTRY } from '@celeriac/worker';

/**
 * Sets the environment the apps' config reads. Call it before the first
 * boot in a test file: the config module validates the environment once,
 * when it is first imported.
 */
export function useEnvironment(env: Record<string, string>): void {
  // No rate limit: suites poll the api far faster than a client would.
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    API_RATE_LIMIT: '0',
    ...env,
  });
}

/**
 * The real api module, configured as main.ts configures it, plus any
 * test-only modules (their `@Task`s join the api's registry).
 */
export async function bootApi({
  imports = [],
}: BootWorkerOptions = {}): Promise<INestApplication> {
  const { ApiModule } = await import('../../apps/api/src/api.module.js');
  const { configureApi, createApiHttpAdapter } =
    await import('../../apps/api/src/configure-api.js');
  const moduleRef = await Test.createTestingModule({
    imports: [ApiModule, ...imports],
  }).compile();
  const app = moduleRef.createNestApplication(createApiHttpAdapter(), {
    logger: false,
  });
  configureApi(app);
  await initFastifyApp(app);
  return app;
}

/**
 * `init()` for an app on the Fastify platform (the api), then Fastify's own
 * `ready()`: its plugins and hooks load there, and supertest may only send
 * to its server after that.
 */
export async function initFastifyApp(app: INestApplication): Promise<void> {
  await app.init();
  await (
    app.getHttpAdapter().getInstance() as { ready(): PromiseLike<unknown> }
  ).ready();
}

/** What a test adds to the worker it boots. */
export interface BootWorkerOptions {
  /** Extra modules, e.g. test-only `@Task` controllers. */
  imports?: (Type | DynamicModule)[];
  /**
   * The files of `imports`' task modules, for the pool children of a worker
   * booted with WORKER_POOL processes / threads: each child boots them too
   * (test/utils/pool-child/test-pool-child.cjs), or it would not know them.
   */
  childModules?: ChildTaskModule[];
}

/** A test-only task module a pool child boots: its file (from the repository root) and class. */
export interface ChildTaskModule {
  file: string;
  name: string;
}

/** The pool child of workers booted with `childModules`. */
const TEST_POOL_CHILD = resolve(
  process.cwd(),
  'test/utils/pool-child/test-pool-child.cjs',
);

/**
 * The real worker module as a hybrid app, consuming as main.ts does, plus
 * any test-only modules (`bootWorker({ imports: [InteropTasksModule] })`).
 */
export async function bootWorker({
  imports = [],
  childModules,
}: BootWorkerOptions = {}): Promise<INestApplication> {
  const { WorkerModule } =
    await import('../../apps/worker/src/worker.module.js');
  const builder = Test.createTestingModule({
    imports: [WorkerModule, ...imports],
  });
  if (childModules) {
    // Children copy this environment when they start.
    process.env.CELERIAC_TEST_CHILD_MODULES = JSON.stringify(childModules);
    builder.overrideProvider(POOL_CHILD_ENTRY).useValue(TEST_POOL_CHILD);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.connectMicroservice(
    { strategy: app.get(CeleryServer) },
    { inheritAppConfig: true },
  );
  await app.init();
  await app.startAllMicroservices();
  return app;
}

/**
 * The real monitor module, configured as main.ts configures it (basic auth,
 * dashboard files); resolves once it consumes events and follows progress.
 */
export async function bootMonitor(): Promise<INestApplication> {
  const { MonitorModule } =
    await import('../../apps/monitor/src/monitor.module.js');
  const { configureMonitor } =
    await import('../../apps/monitor/src/http/configure-monitor.js');
  const { EventsConsumer } =
    await import('../../apps/monitor/src/events/events.consumer.js');
  const { ProgressListener } =
    await import('../../apps/monitor/src/progress/progress.listener.js');
  const { HistoryLoader } =
    await import('../../apps/monitor/src/history/history-loader.js');
  const moduleRef = await Test.createTestingModule({
    imports: [MonitorModule],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    logger: false,
  });
  configureMonitor(app);
  await app.init();
  await app.get(EventsConsumer).ready;
  await app.get(ProgressListener).ready;
  await app.get(HistoryLoader).loaded;
  return app;
}
