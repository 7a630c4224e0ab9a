import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { awaitResult } from './await-result';

const add = (...args: number[]) => ({ task: 'add_task', args });
const multi = (...args: number[]) => ({ task: 'multi_task', args });
const sum = { task: 'sum_task' };

/**
 * Nested canvases as `/v1/workflows` bodies, with the result a Python
 * Celery worker gives for the same canvas (a group's: its members' results).
 */
export const NESTED_WORKFLOWS: {
  name: string;
  body: Record<string, unknown>;
  result: unknown;
  group?: true;
}[] = [
  {
    name: 'a chord whose header holds a chain, a group and a chord',
    body: {
      chord: {
        header: [
          { chain: [add(1, 2), multi(10)] },
          { group: [add(1, 1), add(2, 2)] },
          { chord: { header: [add(3, 3)], body: sum } },
        ],
        body: sum,
      },
    },
    // 30 + 2 + 4 + 6
    result: 42,
  },
  {
    name: 'a chain of two chords',
    body: {
      chain: [
        { chord: { header: [add(1, 1), add(2, 2)], body: sum } },
        { chord: { header: [add(10), multi(2)], body: sum } },
      ],
    },
    // 6, then [16, 12]
    result: 28,
  },
  {
    name: 'a group of chains and a chord',
    body: {
      group: [
        { chain: [add(1, 2), multi(2)] },
        { chord: { header: [add(1, 1), add(2, 2)], body: sum } },
      ],
    },
    result: [6, 6],
    group: true,
  },
  {
    name: 'chain > group > (chain, chord), depth 3',
    body: {
      chain: [
        add(1, 1),
        {
          group: [
            { chain: [add(1), multi(2)] },
            { chord: { header: [add(3), add(4)], body: sum } },
          ],
        },
        sum,
      ],
    },
    result: 17,
  },
  {
    name: 'map (celery.map)',
    body: {
      map: {
        task: 'sum_task',
        it: [
          [1, 2],
          [3, 4],
        ],
      },
    },
    result: [3, 7],
  },
  {
    name: 'starmap (celery.starmap)',
    body: {
      starmap: {
        task: 'add_task',
        it: [
          [1, 2],
          [3, 4],
        ],
      },
    },
    result: [3, 7],
  },
  {
    name: 'chunks (a group of celery.starmap)',
    body: {
      chunks: {
        task: 'add_task',
        it: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        n: 2,
      },
    },
    result: [[3, 7], [11]],
    group: true,
  },
];

/**
 * Submits a workflow to `/v1/workflows` and returns its result once done:
 * the final task's, or each member's for a group.
 */
export async function runWorkflow(
  api: INestApplication,
  body: Record<string, unknown>,
  group = false,
  // An api that does not know the tasks (a Python worker runs them).
  { unchecked = false } = {},
): Promise<unknown> {
  const submitted = await request(api.getHttpServer())
    .post(`/v1/workflows${unchecked ? '?unchecked=true' : ''}`)
    .send(body)
    .expect(202);
  const id: string = submitted.body.task_id;
  if (group) {
    const done = await awaitResult(api, `/result/group/${id}`);
    return (done.body.results as { result: unknown }[]).map(
      ({ result }) => result,
    );
  }
  const done = await awaitResult(api, `/result/${id}`);
  return done.body.result;
}

/**
 * `/v1/workflows` bodies with callbacks and errbacks, and what Celery gives
 * for them: a link's callback (the task's child) gets the result; a
 * link_error errback gets the failed task's id; a chord whose header fails
 * stores ChordError on its body, whose errback gets the body's id.
 */
export const LINKED_WORKFLOWS = {
  link: {
    task: 'add_task',
    args: [1, 2],
    link: { task: 'multi_task', args: [10] },
  },
  /** The callback's result. */
  linkResult: 30,
  linkError: {
    task: 'fail_task',
    args: ['boom'],
    link_error: { task: 'errback_task' },
  },
  chordHeaderFails: {
    chord: {
      header: [add(1, 1), { task: 'fail_task', args: ['boom'] }],
      body: sum,
    },
    link_error: { task: 'errback_task' },
  },
  /** The body's ChordError, given the failed header task's id. */
  chordError: (failedId: string) => ({
    type: 'ChordError',
    message: `Dependency ${failedId} raised ValueError('boom')`,
  }),
};
