import {
  buildEventBody,
  eventRoutingKey,
  pythonUtcOffset,
} from './event-dispatcher';
import { workerEventFields } from './worker-heartbeat';

describe('event bodies', () => {
  it('routes like Celery: the first dash becomes a dot', () => {
    expect(eventRoutingKey('task-succeeded')).toBe('task.succeeded');
    expect(eventRoutingKey('worker-heartbeat')).toBe('worker.heartbeat');
  });

  it('uses Python sign semantics for utcoffset (positive west of UTC)', () => {
    const at = (minutes: number) =>
      ({ getTimezoneOffset: () => minutes }) as unknown as Date;
    expect(pythonUtcOffset(at(0))).toBe(0);
    expect(pythonUtcOffset(at(300))).toBe(5); // UTC-5, New York
    expect(pythonUtcOffset(at(-120))).toBe(-2); // UTC+2
    expect(pythonUtcOffset(at(-330))).toBe(-6); // UTC+5:30, floored
  });

  it('stamps the common fields over the event fields', () => {
    const body = buildEventBody(
      'task-started',
      { uuid: 'abc', type: 'ignored', hostname: 'ignored' },
      {
        hostname: 'celeriac@host',
        clock: 7,
        now: 1_786_190_400_123,
        pid: 42,
        utcoffset: 0,
      },
    );
    expect(body).toEqual({
      uuid: 'abc',
      type: 'task-started',
      hostname: 'celeriac@host',
      timestamp: 1_786_190_400.123,
      utcoffset: 0,
      pid: 42,
      clock: 7,
    });
  });

  it('reports worker fields as Celery does', () => {
    const fields = workerEventFields({ active: 1, processed: 5 }, 2.0);
    expect(fields).toMatchObject({
      freq: 2,
      active: 1,
      processed: 5,
      sw_ident: 'celeriac',
      sw_ver: '0.1.0',
    });
    const loadavg = fields.loadavg as number[];
    expect(loadavg).toHaveLength(3);
    for (const value of loadavg) {
      expect(Math.round(value * 100) / 100).toBe(value);
    }
  });
});
