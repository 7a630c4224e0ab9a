import { jest } from '@jest/globals';
import {
  buildBroadcastRequest,
  ReplyCollector,
  replyQueueName,
} from './control-client';

describe('buildBroadcastRequest', () => {
  it('builds an inspect with a ticket and reply_to on reply.celery.pidbox', () => {
    expect(
      buildBroadcastRequest(
        'stats',
        { destination: ['a@h'] },
        { ticket: 't-1', oid: 'o-1' },
      ),
    ).toEqual({
      method: 'stats',
      arguments: {},
      destination: ['a@h'],
      pattern: null,
      matcher: null,
      ticket: 't-1',
      reply_to: { exchange: 'reply.celery.pidbox', routing_key: 'o-1' },
    });
  });

  it('builds a cast without ticket nor reply_to, to every node', () => {
    const request = buildBroadcastRequest('enable_events', { destination: [] });

    expect(request).toEqual({
      method: 'enable_events',
      arguments: {},
      destination: null,
      pattern: null,
      matcher: null,
    });
    expect(request).not.toHaveProperty('ticket');
  });

  it('keeps the arguments', () => {
    expect(
      buildBroadcastRequest('add_consumer', { arguments: { queue: 'q' } })
        .arguments,
    ).toEqual({ queue: 'q' });
  });
});

describe('replyQueueName', () => {
  it("is kombu's <oid>.reply.celery.pidbox", () => {
    expect(replyQueueName('abc')).toBe('abc.reply.celery.pidbox');
  });
});

describe(ReplyCollector.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves with the replies when the limit is reached', async () => {
    const sut = new ReplyCollector('t', 1000, 2);

    expect(sut.accept({ 'a@h': { ok: 'pong' } })).toBe(false);
    expect(sut.accept({ 'b@h': { ok: 'pong' } })).toBe(true);
    await expect(sut.done).resolves.toEqual([
      { 'a@h': { ok: 'pong' } },
      { 'b@h': { ok: 'pong' } },
    ]);
  });

  it('resolves with what arrived when the timeout fires', async () => {
    const sut = new ReplyCollector('t', 1000);
    sut.accept({ 'a@h': [] });

    jest.advanceTimersByTime(1000);

    await expect(sut.done).resolves.toEqual([{ 'a@h': [] }]);
  });

  it('skips bodies that are not objects', async () => {
    const sut = new ReplyCollector('t', 10);
    sut.accept(['x']);
    sut.accept(null);
    sut.accept('pong');

    jest.advanceTimersByTime(10);

    await expect(sut.done).resolves.toEqual([]);
  });

  it('resolves at once with a limit of 0', async () => {
    await expect(new ReplyCollector('t', 1000, 0).done).resolves.toEqual([]);
  });
});
