import { inspect } from 'node:util';
import { buildTaskMessage, type TaskMessage } from '@celeriac/broker';
import { RetryRequest } from '@celeriac/tasks';
import { type ProgressSink, RunningTaskRequest } from './running-task-request';
import { RunSignal } from './time-limits';

function requestOf(
  sink: ProgressSink = { storeProgress: () => Promise.resolve() },
) {
  const message = buildTaskMessage({
    task: 'add_task',
    id: 'b6f1e0a2-7d2c-4a55-9d55-0c6c8a4e5f01',
    args: [1, 2],
    rootId: 'root-1',
    parentId: 'parent-1',
    groupId: 'group-1',
    groupIndex: 3,
    retries: 2,
    timeLimit: 30,
    softTimeLimit: 20,
  });
  return new RunningTaskRequest(
    message,
    'celery',
    'celeriac@host',
    new RunSignal(),
    sink,
  );
}

const FIELDS = {
  id: 'b6f1e0a2-7d2c-4a55-9d55-0c6c8a4e5f01',
  task: 'add_task',
  retries: 2,
  timeLimit: [30, 20],
  rootId: 'root-1',
  parentId: 'parent-1',
  groupId: 'group-1',
  groupIndex: 3,
  hostname: 'celeriac@host',
  queue: 'celery',
};

describe('RunningTaskRequest', () => {
  it("reads its fields from the message's headers", () => {
    const request = requestOf();

    expect({
      id: request.id,
      task: request.task,
      retries: request.retries,
      timeLimit: request.timeLimit,
      rootId: request.rootId,
      parentId: request.parentId,
      groupId: request.groupId,
      groupIndex: request.groupIndex,
      hostname: request.hostname,
      queue: request.queue,
    }).toEqual(FIELDS);
  });

  it('shows its fields to JSON.stringify (pino) and console.log, without the signal', () => {
    const request = requestOf();

    expect(JSON.parse(JSON.stringify(request))).toEqual(FIELDS);
    const shown = inspect(request);
    expect(shown).toMatch(/^RunningTaskRequest \{/);
    expect(shown).toContain("rootId: 'root-1'");
    expect(shown).not.toContain('signal');
  });

  it('stores progress through a destructured progress()', async () => {
    const stored: [TaskMessage, Record<string, unknown>][] = [];
    const { progress } = requestOf({
      storeProgress: (message, meta) => {
        stored.push([message, meta]);
        return Promise.resolve();
      },
    });

    await progress({ done: 1, total: 4 });

    expect(stored).toHaveLength(1);
    expect(stored[0][0].headers.id).toBe(FIELDS.id);
    expect(stored[0][1]).toEqual({ done: 1, total: 4 });
  });

  it('retries through a destructured retry()', () => {
    const { retry } = requestOf();

    expect(() => retry({ countdown: 5 })).toThrow(RetryRequest);
  });
});
