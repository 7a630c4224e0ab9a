import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { CeleryClient } from '@celeriac/broker';

/**
 * The api's Prometheus metrics (README lists them): every task message it
 * publishes (a task, or each step of a workflow) by task name, queue and
 * outcome, and how long the broker took to confirm it.
 */
@Injectable()
export class ApiMetrics implements OnModuleInit {
  private readonly submissions: Counter<'task' | 'queue' | 'outcome'>;
  private readonly confirmSeconds: Histogram<'outcome'>;

  constructor(
    registry: Registry,
    private readonly client: CeleryClient,
  ) {
    const registers = [registry];
    this.submissions = new Counter({
      name: 'celeriac_api_task_submissions_total',
      help: 'Task messages the api published, by task name, queue and outcome (confirmed by the broker, or failed).',
      labelNames: ['task', 'queue', 'outcome'],
      registers,
    });
    this.confirmSeconds = new Histogram({
      name: 'celeriac_api_publish_confirm_seconds',
      help: "Time from publishing a task message to the broker's publisher confirm (or the failure), by outcome.",
      labelNames: ['outcome'],
      buckets: [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      ],
      registers,
    });
  }

  onModuleInit(): void {
    this.client.observePublishes(({ task, queue, outcome, seconds }) => {
      this.submissions.inc({ task, queue, outcome });
      this.confirmSeconds.observe({ outcome }, seconds);
    });
  }
}
