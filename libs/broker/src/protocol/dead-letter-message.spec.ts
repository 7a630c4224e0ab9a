import type { MessageProperties } from 'amqplib';
import { loadAmqplibCodec } from '../../../../test/utils/amqplib-codec';
import {
  type DeadLetter,
  deadLetterHeaders,
  deadLetterPublishOptions,
} from './dead-letter-message';
import { buildTaskMessage } from './task-message.builder';
import { encodeTaskMessage } from './task-message.codec';

const codec = loadAmqplibCodec();
const AT = new Date('2026-03-04T05:06:07.089Z');

function properties(received: Partial<MessageProperties>): MessageProperties {
  return {
    contentType: undefined,
    contentEncoding: undefined,
    headers: undefined,
    deliveryMode: undefined,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
    ...received,
  };
}

function letter(received: Partial<MessageProperties>): DeadLetter {
  return {
    content: Buffer.from('{not json'),
    properties: properties(received),
    reason: 'body is not valid JSON',
    queue: 'default-sum',
  };
}

/** Headers through amqplib's encoder and decoder, as a consumer would see them. */
function overTheWire(
  headers: Record<string, unknown>,
): Record<string, unknown> {
  const buffer = Buffer.alloc(8192);
  const size = codec.encodeTable(buffer, headers, 0);
  return codec.decodeFields(buffer.subarray(4, size));
}

/** The type tag amqplib writes for one header's value. */
function tagOf(headers: Record<string, unknown>, key: string): string {
  const buffer = Buffer.alloc(8192);
  const size = codec.encodeTable(buffer, { [key]: headers[key] }, 0);
  return String.fromCharCode(
    buffer.subarray(0, size)[4 + 1 + Buffer.byteLength(key)],
  );
}

describe('deadLetterHeaders', () => {
  it('adds the reason, the queue and the time to a message without headers', () => {
    expect(deadLetterHeaders(letter({}), AT)).toEqual({
      'x-celeriac-reason': 'body is not valid JSON',
      'x-celeriac-queue': 'default-sum',
      'x-celeriac-dead-lettered-at': '2026-03-04T05:06:07.089Z',
    });
  });

  it('keeps the original headers, their integers as int32', () => {
    const headers = deadLetterHeaders(
      letter({ headers: { retries: 200, timelimit: [300, null], n: -1 } }),
      AT,
    );

    expect(headers).toMatchObject({
      retries: { '!': 'int', value: 200 },
      timelimit: [{ '!': 'int', value: 300 }, null],
      n: { '!': 'int', value: -1 },
      'x-celeriac-reason': 'body is not valid JSON',
    });
    expect(tagOf(headers, 'retries')).toBe('I');
    expect(tagOf(headers, 'n')).toBe('I');
  });

  it('keeps byte-array headers as byte arrays', () => {
    const headers = deadLetterHeaders(
      letter({ headers: { origin: Buffer.from('gen1@host') } }),
      AT,
    );

    expect(tagOf(headers, 'origin')).toBe('x');
  });

  it('replaces the marks of an earlier dead-lettering', () => {
    const headers = deadLetterHeaders(
      letter({
        headers: { 'x-celeriac-reason': 'old', 'x-celeriac-queue': 'old' },
      }),
      AT,
    );

    expect(headers).toMatchObject({
      'x-celeriac-reason': 'body is not valid JSON',
      'x-celeriac-queue': 'default-sum',
    });
  });

  it('records the expiration the message had', () => {
    expect(
      deadLetterHeaders(letter({ expiration: '60000' }), AT),
    ).toHaveProperty('x-celeriac-original-expiration', '60000');
  });

  it('does not modify the received headers', () => {
    const received = { retries: 1, timelimit: [1, 2] };

    deadLetterHeaders(letter({ headers: received }), AT);

    expect(received).toEqual({ retries: 1, timelimit: [1, 2] });
  });

  it('round-trips a real Celery message: every header decodes as it was', () => {
    const { options } = encodeTaskMessage(
      buildTaskMessage({
        task: 'add_task',
        id: 'a1b2',
        args: [1, 2],
        retries: 200,
        groupIndex: 500,
        timeLimit: 1200,
        softTimeLimit: 600,
      }),
    );
    const received = overTheWire(options.headers);

    const decoded = overTheWire(
      deadLetterHeaders(letter({ headers: received }), AT),
    );

    expect(decoded).toEqual({
      ...received,
      'x-celeriac-reason': 'body is not valid JSON',
      'x-celeriac-queue': 'default-sum',
      'x-celeriac-dead-lettered-at': '2026-03-04T05:06:07.089Z',
    });
    expect(decoded).toMatchObject({
      retries: 200,
      group_index: 500,
      timelimit: [1200, 600],
    });
  });
});

describe('deadLetterPublishOptions', () => {
  it('keeps the original properties and makes the message persistent', () => {
    const options = deadLetterPublishOptions(
      letter({
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        correlationId: 'a1b2',
        replyTo: 'reply-queue',
        priority: 3,
        messageId: 'm-1',
        timestamp: 1_700_000_000,
        type: 'task',
        appId: 'app',
        deliveryMode: 1,
      }),
      AT,
    );

    expect(options).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'a1b2',
      replyTo: 'reply-queue',
      priority: 3,
      messageId: 'm-1',
      timestamp: 1_700_000_000,
      type: 'task',
      appId: 'app',
      deliveryMode: 2,
      headers: deadLetterHeaders(letter({}), AT),
    });
  });

  it('sets only persistence and headers when nothing else was received', () => {
    expect(deadLetterPublishOptions(letter({}), AT)).toEqual({
      deliveryMode: 2,
      headers: deadLetterHeaders(letter({}), AT),
    });
  });

  it('drops the expiration and the user id', () => {
    const options = deadLetterPublishOptions(
      letter({ expiration: '60000', userId: 'someone-else' }),
      AT,
    );

    expect(options).not.toHaveProperty('expiration');
    expect(options).not.toHaveProperty('userId');
    expect(options.headers).toHaveProperty(
      'x-celeriac-original-expiration',
      '60000',
    );
  });
});
