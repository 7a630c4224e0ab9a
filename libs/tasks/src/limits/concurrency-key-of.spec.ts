import { Logger } from '@nestjs/common';
import { buildTaskMessage } from '@celeriac/broker';
import { concurrencyKeyOf } from './concurrency-key-of';
import { limitHeaders } from './limit-headers';

describe('a task call concurrency key', () => {
  const logger = new Logger('test');
  const definition = {
    name: 'report',
    params: ['tenant'],
    concurrency: {
      key: ({ args }: { args: readonly unknown[] }) =>
        args[0] === null ? null : `tenant-${args[0] as string}`,
      limit: 2,
    },
  };
  const messageOf = (headers: Record<string, unknown> = {}) => {
    const message = buildTaskMessage({ task: 'report', id: 'id-1' });
    Object.assign(message.headers, headers);
    return message;
  };

  it('is derived from the call by the declaration', () => {
    expect(
      concurrencyKeyOf(
        messageOf(),
        definition,
        { args: ['a'], kwargs: {} },
        logger,
      ),
    ).toEqual({ key: 'tenant-a', limit: 2 });
  });

  it("is the message's own when it has one", () => {
    const own = limitHeaders({ concurrency: { key: 'vip', limit: 5 } });
    expect(
      concurrencyKeyOf(
        messageOf(own),
        definition,
        { args: ['a'], kwargs: {} },
        logger,
      ),
    ).toEqual({ key: 'vip', limit: 5 });
  });

  it('is none when the function gives none, or throws', () => {
    expect(
      concurrencyKeyOf(
        messageOf(),
        definition,
        { args: [null], kwargs: {} },
        logger,
      ),
    ).toBeUndefined();
    const throwing = {
      ...definition,
      concurrency: {
        key: () => {
          throw new Error('no tenant');
        },
        limit: 1,
      },
    };
    expect(
      concurrencyKeyOf(messageOf(), throwing, { args: [], kwargs: {} }, logger),
    ).toBeUndefined();
  });
});
