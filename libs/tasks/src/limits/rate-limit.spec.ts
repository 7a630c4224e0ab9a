import { Logger } from '@nestjs/common';
import type { TaskRegistry } from '../registry/task.registry';
import { gcraStep, WorkerRateBudget } from './rate-budget';
import { setRateLimit } from './rate-limit-command';
import {
  limitHeaders,
  messageConcurrency,
  messageRateLimit,
} from './limit-headers';
import { InvalidRateLimitError, tasksPerSecond } from './rate-limit';
import type { TaskHeaders } from '@celeriac/broker';

describe("Celery's rate-limit syntax", () => {
  it.each([
    ['10/s', 10],
    ['100/m', 100 / 60],
    ['1000/h', 1000 / 3600],
    ['5', 5],
    [2.5, 2.5],
    ['0', 0],
    ['', 0],
    [0, 0],
  ])('%p is %p tasks per second', (limit, perSecond) => {
    expect(tasksPerSecond(limit)).toBeCloseTo(perSecond, 9);
  });

  it.each(['fast', '10/d', '/s', '-1/s', 'NaN'])('refuses %p', (limit) => {
    expect(() => tasksPerSecond(limit)).toThrow(InvalidRateLimitError);
  });
});

describe('the budget step (GCRA)', () => {
  it('spaces starts one interval apart and reserves no further than the horizon', () => {
    const budget = new WorkerRateBudget(() => 1000);
    const waits: number[] = [];
    return (async () => {
      for (let n = 0; n < 7; n += 1) {
        const { reserved, waitMs } = await budget.reserve('t', 200);
        waits.push(reserved ? waitMs : -waitMs);
      }
      // 200 ms apart up to the 1 s horizon; the sixth is told to come back.
      expect(waits).toEqual([0, 200, 400, 600, 800, 1000, -200]);
    })();
  });

  it('starts at once when the timeline is in the past', () => {
    expect(gcraStep(500, 1000, 100)).toEqual({
      reservation: { reserved: true, waitMs: 0 },
      next: 1100,
    });
  });
});

describe('limit headers', () => {
  it('carries a rate and a concurrency key and reads them back', () => {
    const headers = limitHeaders({
      rateLimit: '10/m',
      concurrency: { key: 'tenant-a', limit: 2 },
    }) as unknown as TaskHeaders;
    expect(messageRateLimit(headers)).toBe('10/m');
    expect(messageConcurrency(headers)).toEqual({ key: 'tenant-a', limit: 2 });
  });

  it('ignores unreadable values', () => {
    const headers = {
      x_celeriac_rate_limit: 'soon',
      x_celeriac_concurrency_key: 'a',
      x_celeriac_concurrency_limit: 0,
    } as unknown as TaskHeaders;
    expect(messageRateLimit(headers)).toBeUndefined();
    expect(messageConcurrency(headers)).toBeUndefined();
  });
});

describe('the rate_limit control command', () => {
  const logger = new Logger('test');
  const registryWith = () => {
    const task: { name: string; rateLimit?: string | number } = {
      name: 'multi_task',
    };
    const registry = {
      get: (name: string) => (name === 'multi_task' ? task : undefined),
    } as unknown as TaskRegistry;
    return { registry, task };
  };

  it("answers as Celery's control.py does", () => {
    const { registry, task } = registryWith();
    expect(
      setRateLimit(
        registry,
        { task_name: 'multi_task', rate_limit: '5/s' },
        logger,
      ),
    ).toEqual({ ok: 'new rate limit set successfully' });
    expect(task.rateLimit).toBe('5/s');
    expect(
      setRateLimit(
        registry,
        { task_name: 'multi_task', rate_limit: 0 },
        logger,
      ),
    ).toEqual({ ok: 'rate limit disabled successfully' });
    expect(task.rateLimit).toBeUndefined();
    expect(
      setRateLimit(registry, { task_name: 'nope', rate_limit: '1/s' }, logger),
    ).toEqual({ error: 'unknown task' });
    expect(
      setRateLimit(
        registry,
        { task_name: 'multi_task', rate_limit: 'x/s' },
        logger,
      ),
    ).toEqual({ error: expect.stringMatching(/^Invalid rate limit string/) });
  });
});
