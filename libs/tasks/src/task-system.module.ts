import { type DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '@celeriac/broker';
import {
  CeleriacConfig,
  CeleriacConfigModule,
  CeleriacLoggerModule,
} from '@celeriac/config';
import { replicaWaitOf, ResultsModule } from '@celeriac/results';
import { ScheduleModule } from '@celeriac/schedule';
import { TasksModule } from './tasks.module';

/**
 * What every celeriac app needs, wired from the validated environment:
 * config, pino logging, the broker client, the result backend, the task
 * registry and producer, and the schedule queue that keeps far-off ETAs in
 * Redis (all global). The worker adds its engine (`@celeriac/worker`).
 */
/**
 * How long the api waits for RabbitMQ's publisher confirm before it
 * answers 503: a submit must answer within 3 s during an outage.
 */
export const API_PUBLISH_TIMEOUT_MS = 2000;

@Module({})
export class TaskSystemModule {
  /** @param app names this app's RabbitMQ connection, e.g. `api`. */
  static forApp(app: string): DynamicModule {
    // The api answers requests: it refuses a submit quickly (503) while a
    // dependency is down. Others (the worker) wait for it to come back.
    const answersRequests = app === 'api';
    return {
      module: TaskSystemModule,
      imports: [
        CeleriacConfigModule.forRoot(),
        // The api logs its requests from a Fastify hook (apps/api/src/logging).
        CeleriacLoggerModule.forRoot({ requestMiddleware: !answersRequests }),
        BrokerModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            url: config.broker.url,
            queueType: config.tasks.queueType,
            countdownDelivery: config.tasks.countdownDelivery,
            connectionName: `celeriac-${app} ${config.worker.hostname}`,
            ...(answersRequests
              ? {
                  publishTimeoutMs: API_PUBLISH_TIMEOUT_MS,
                  failFastWhileDown: true,
                }
              : {}),
          }),
        }),
        ResultsModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            url: config.results.url,
            sentinelMaster: config.results.sentinelMaster,
            sentinelPassword: config.results.sentinelPassword,
            expiresSeconds: config.results.expiresSeconds,
            failFast: answersRequests,
            replicaWait: replicaWaitOf(
              config.results.waitReplicas,
              config.results.waitTimeoutMs,
            ),
          }),
        }),
        ScheduleModule.forRoot({ failFast: answersRequests }),
        TasksModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            defaultQueue: config.tasks.defaultQueue,
            timeScale: config.tasks.timeScale,
            hostname: config.worker.hostname,
            concurrency: config.worker.concurrency,
            softTimeLimit: config.tasks.softTimeLimit,
            timeLimit: config.tasks.timeLimit,
            trackStarted: config.tasks.trackStarted,
            allowErrorCbOnChordHeader: config.tasks.allowErrorCbOnChordHeader,
            rateLimitScope: config.tasks.rateLimitScope,
            concurrencyLeaseTimeout: config.tasks.concurrencyLeaseTimeout,
          }),
        }),
      ],
    };
  }
}
