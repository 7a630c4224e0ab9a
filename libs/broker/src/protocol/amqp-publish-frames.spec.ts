import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type CapturedQueue,
  readWireFixture,
} from '../../../../test/utils/wire-fixtures';
import { toAmqpHeaders } from './amqp-headers';
import {
  encodePublishFrames,
  type PublishProperties,
} from './amqp-publish-frames';
import { buildTaskMessage } from './task-message.builder';
import { encodeTaskMessageUntyped } from './task-message.codec';

// amqplib's own encoders (not in its exports map): what it would write.
const requireHere = createRequire(join(process.cwd(), 'package.json'));
const amqplibDir = dirname(requireHere.resolve('amqplib'));
interface AmqplibDefs {
  BasicPublish: number;
  BasicProperties: number;
  encodeMethod(id: number, channel: number, fields: unknown): Buffer;
  encodeProperties(
    id: number,
    channel: number,
    size: number,
    fields: unknown,
  ): Buffer;
}
const defs = requireHere(join(amqplibDir, 'lib', 'defs.js')) as AmqplibDefs;
const apiArgs = requireHere(join(amqplibDir, 'lib', 'api_args.js')) as {
  publish(exchange: string, routingKey: string, options: unknown): unknown;
};
const { makeBodyFrame } = requireHere(join(amqplibDir, 'lib', 'frame.js')) as {
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
};

const FRAME_MAX = 131_072;

/** What amqplib 2.x writes for `channel.publish` with typed headers. */
function amqplibFrames(
  channel: number,
  frameMax: number,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: PublishProperties,
): Buffer {
  const fields = apiArgs.publish(exchange, routingKey, {
    ...properties,
    ...(properties.headers
      ? { headers: toAmqpHeaders(properties.headers) }
      : {}),
  });
  const parts = [
    defs.encodeMethod(defs.BasicPublish, channel, fields),
    defs.encodeProperties(
      defs.BasicProperties,
      channel,
      content.length,
      fields,
    ),
  ];
  const maxBody = frameMax - 8;
  for (let start = 0; start < content.length; start += maxBody) {
    parts.push(
      makeBodyFrame(channel, content.subarray(start, start + maxBody)),
    );
  }
  return Buffer.concat(parts);
}

function expectSameBytes(
  properties: PublishProperties,
  content = Buffer.from('[[], {}, {}]'),
  { channel = 1, frameMax = FRAME_MAX, routingKey = 'celery' } = {},
): void {
  const ours = encodePublishFrames(
    channel,
    frameMax,
    '',
    routingKey,
    content,
    properties,
  );
  const theirs = amqplibFrames(
    channel,
    frameMax,
    '',
    routingKey,
    content,
    properties,
  );
  expect(ours?.toString('hex')).toBe(theirs.toString('hex'));
}

const TASK_PROPERTIES: PublishProperties = {
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  deliveryMode: 2,
  correlationId: 'c5b0b3f1-0000-4000-8000-000000000000',
  replyTo: 'd9e1a8c2-0000-4000-8000-000000000000',
};

describe('encodePublishFrames', () => {
  it('writes the bytes amqplib writes for every captured Celery message', () => {
    for (const name of [
      'send_task',
      'chain',
      'group',
      'chord',
      'worker-published',
    ]) {
      const fixture = readWireFixture<CapturedQueue>(`msg-${name}.json`);
      expect(fixture.messages.length).toBeGreaterThan(0);
      for (const message of fixture.messages) {
        expectSameBytes(message.properties, Buffer.from(message.body_utf8), {
          routingKey: message.fields.routingKey,
        });
      }
    }
  });

  it('writes the bytes amqplib writes for messages celeriac builds', () => {
    const messages = [
      buildTaskMessage({ task: 'add', id: 'a', args: [1, 2] }),
      buildTaskMessage({
        task: 'tâche.ünïcode',
        id: 'b',
        args: ['é', { n: 1 }],
        kwargs: { x: [1.5, null] },
        priority: 9,
        maxRetries: 3,
        groupId: 'g',
        groupIndex: 4,
        eta: new Date('2030-01-01T00:00:00Z'),
        expires: new Date(Date.now() + 60_000),
        timeLimit: 30,
        softTimeLimit: 2.5,
      }),
    ];
    for (const message of messages) {
      const { content, options } = encodeTaskMessageUntyped(message);
      expectSameBytes(options, content, { channel: 7, routingKey: 'q' });
    }
  });

  it.each<[string, unknown]>([
    ['strings', ['', 'ascii', 'é€😀', 'x'.repeat(70_000 / 4)]],
    ['small and large integers', [0, -1, 127, 128, -129, 32_768, 2 ** 31 - 1]],
    ['integers past int32', [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53)]],
    ['non-integers', [1.5, -0.1, 2 ** 50 + 0.5, NaN, Infinity, -Infinity]],
    ['bigints', [1n, -5n, 2n ** 40n, 2n ** 63n, -(2n ** 40n)]],
    ['booleans and null', [true, false, null]],
    ['undefined in an array', [1, undefined, 'x']],
    ['nested tables', { a: { b: { c: [1, { d: null }] } }, e: undefined }],
    ['bytes', Buffer.from([0, 1, 255])],
    [
      'typed values',
      [
        { '!': 'int', value: 5 },
        { '!': 'long', value: 7n },
      ],
    ],
    ['a typed double', { '!': 'double', value: 3 }],
  ])('types %s as toAmqpHeaders and amqplib do', (_, value) => {
    expectSameBytes({ ...TASK_PROPERTIES, headers: { value, other: 'x' } });
  });

  it('keeps key order, an own __proto__ key and drops undefined values', () => {
    const headers: Record<string, unknown> = { b: 1, a: undefined, 2: 'two' };
    Object.defineProperty(headers, '__proto__', {
      value: 'kept',
      enumerable: true,
    });
    headers['1'] = 'one';
    expectSameBytes({ ...TASK_PROPERTIES, headers });
  });

  it('writes each optional property only when it is set', () => {
    expectSameBytes({});
    expectSameBytes({ ...TASK_PROPERTIES, priority: 0, expiration: '1000' });
    expectSameBytes({ ...TASK_PROPERTIES, headers: {}, priority: 255 });
  });

  it('splits a body larger than a frame, and writes none for no body', () => {
    const headers = { task: 'add' };
    const frameMax = 4096;
    for (const size of [0, 1, frameMax - 8, frameMax - 7, 3 * frameMax]) {
      expectSameBytes(
        { ...TASK_PROPERTIES, headers },
        Buffer.alloc(size, 0x61),
        { frameMax },
      );
    }
  });

  it.each<[string, PublishProperties]>([
    ['a key over 255 bytes', { headers: { ['k'.repeat(256)]: 1 } }],
    ['a property over 255 bytes', { correlationId: 'i'.repeat(256) }],
    ['a Date (amqplib would guess)', { headers: { at: new Date(0) } }],
    ['an unknown typed value', { headers: { t: { '!': 'float', value: 1 } } }],
    [
      'a typed int out of range',
      { headers: { t: { '!': 'int', value: 2 ** 40 } } },
    ],
    ['headers over 64 KiB', { headers: { big: 'x'.repeat(70_000) } }],
    ['a priority over 255', { priority: 256 }],
    ['a function', { headers: { f: () => 1 } }],
  ])('leaves %s to amqplib', (_, properties) => {
    expect(
      encodePublishFrames(1, FRAME_MAX, '', 'q', Buffer.from('[]'), properties),
    ).toBeUndefined();
  });

  it('encodes again after giving up half-way', () => {
    encodePublishFrames(1, FRAME_MAX, '', 'q', Buffer.from('[]'), {
      headers: { a: 'x'.repeat(1000), at: new Date(0) },
    });
    expectSameBytes({ ...TASK_PROPERTIES, headers: { task: 'add' } });
  });
});
