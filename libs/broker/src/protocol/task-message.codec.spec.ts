import { loadAmqplibCodec } from '../../../../test/utils/amqplib-codec';
import {
  readWireFixture,
  type CapturedMessage,
  type CapturedQueue,
} from '../../../../test/utils/wire-fixtures';
import { fromAmqpHeaders } from './amqp-headers';
import type { MessageEmbed, TaskMessage } from './celery-message';
import { buildTaskMessage, type TaskMessageSpec } from './task-message.builder';
import {
  decodeTaskMessage,
  encodeTaskMessage,
  type DecodeResult,
  type ReceivedProperties,
} from './task-message.codec';

const codec = loadAmqplibCodec();

/** Headers as a consumer gets them after amqplib wrote and read the table. */
function throughAmqplib(
  headers: Record<string, unknown>,
): Record<string, unknown> {
  const buffer = Buffer.alloc(8192);
  const size = codec.encodeTable(buffer, headers, 0);
  // encodeTable writes a 4-byte length first; decodeFields reads the rest.
  return fromAmqpHeaders(codec.decodeFields(buffer.subarray(4, size)));
}

const CAPTURES = [
  'msg-send_task.json',
  'msg-chain.json',
  'msg-group.json',
  'msg-chord.json',
  'msg-worker-published.json',
];

interface CaptureRow {
  name: string;
  file: string;
  captured: CapturedMessage;
}

const captureRows: CaptureRow[] = CAPTURES.flatMap((file) =>
  readWireFixture<CapturedQueue>(file).messages.map((captured, index) => ({
    name: `${file} #${index} (${String(captured.properties.headers.task)})`,
    file,
    captured,
  })),
);

function bodyOf(captured: CapturedMessage): {
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: MessageEmbed;
} {
  const [args, kwargs, embed] = captured.body_json;
  return { args, kwargs, embed: embed as unknown as MessageEmbed };
}

/** What the capture says about the call, as a caller would say it. */
function specOf(file: string, captured: CapturedMessage): TaskMessageSpec {
  const headers = captured.properties.headers;
  const { args, kwargs, embed } = bodyOf(captured);
  return {
    task: headers.task as string,
    id: headers.id as string,
    args,
    kwargs,
    // send_task(args=[1, 2]) reprs a list; signatures repr a tuple.
    argsForm: file === 'msg-send_task.json' ? 'list' : 'tuple',
    rootId: headers.root_id as string,
    parentId: headers.parent_id as string | null,
    groupId: headers.group as string | null,
    groupIndex: headers.group_index as number | null,
    replyTo: captured.properties.replyTo,
    origin: headers.origin as string,
    // Absent on what a worker published itself.
    priority: captured.properties.priority,
    chain: embed.chain,
    chord: embed.chord,
    callbacks: embed.callbacks,
    errbacks: embed.errbacks,
  };
}

function decodedMessage(result: DecodeResult): TaskMessage {
  if (!result.ok) {
    throw new Error(`expected a decoded message, got: ${result.reason}`);
  }
  return result.message;
}

function withoutHeaders(
  properties: CapturedMessage['properties'],
): Omit<CapturedMessage['properties'], 'headers'> {
  const { headers: _headers, ...rest } = properties;
  return rest;
}

describe(decodeTaskMessage.name, () => {
  describe('messages Python Celery published', () => {
    it.each(captureRows)('decodes $name', ({ captured }) => {
      const { args, kwargs, embed } = bodyOf(captured);

      const result = decodeTaskMessage(
        Buffer.from(captured.body_utf8),
        captured.properties,
      );

      const message = decodedMessage(result);
      expect(message.headers).toEqual(captured.properties.headers);
      expect(message.properties).toStrictEqual(
        withoutHeaders(captured.properties),
      );
      expect(message.args).toEqual(args);
      expect(message.kwargs).toEqual(kwargs);
      expect(message.embed).toEqual(embed);
    });
  });

  describe('messages it cannot run', () => {
    const valid =
      readWireFixture<CapturedQueue>('msg-send_task.json').messages[0];
    const validBody = Buffer.from(valid.body_utf8);
    const validProperties: ReceivedProperties = valid.properties;
    const withHeaders = (
      change: (headers: Record<string, unknown>) => void,
    ): ReceivedProperties => {
      const headers = { ...valid.properties.headers };
      change(headers);
      return { ...validProperties, headers };
    };

    it.each<[string, Buffer, ReceivedProperties, RegExp]>([
      [
        'garbage bytes',
        Buffer.from([0x00, 0x9c, 0x13, 0x37, 0xde, 0xad]),
        validProperties,
        /not valid UTF-8/,
      ],
      [
        'text that is not JSON',
        Buffer.from('add_task(1, 2)'),
        validProperties,
        /not valid JSON/,
      ],
      ['an empty body', Buffer.alloc(0), validProperties, /not valid JSON/],
      [
        'JSON that is not an array',
        Buffer.from('{"args": [1, 2]}'),
        validProperties,
        /must be the JSON array \[args, kwargs, embed\]/,
      ],
      [
        'an array of 2',
        Buffer.from('[[1, 2], {}]'),
        validProperties,
        /must be the JSON array \[args, kwargs, embed\]/,
      ],
      [
        'args that are not an array',
        Buffer.from('[{"a": 1}, {}, null]'),
        validProperties,
        /args\) must be an array/,
      ],
      [
        'kwargs that are an array',
        Buffer.from('[[1, 2], [3], null]'),
        validProperties,
        /kwargs\) must be an object/,
      ],
      [
        'no task header',
        validBody,
        withHeaders((headers) => delete headers.task),
        /headers "task" and "id" are required/,
      ],
      [
        'no id header',
        validBody,
        withHeaders((headers) => delete headers.id),
        /headers "task" and "id" are required/,
      ],
      [
        'a pickled body',
        validBody,
        { ...validProperties, contentType: 'application/x-python-serialize' },
        /unsupported content type "application\/x-python-serialize"/,
      ],
      [
        'no content type (application/data)',
        validBody,
        { ...validProperties, contentType: undefined },
        /unsupported content type "application\/data"/,
      ],
      [
        'a compressed body',
        validBody,
        withHeaders((headers) => {
          headers.compression = 'application/x-gzip';
        }),
        /compressed bodies are not supported/,
      ],
      [
        'a protocol v1 body',
        Buffer.from(
          JSON.stringify({
            task: 'add_task',
            id: valid.properties.headers.id,
            args: [1, 2],
            kwargs: {},
          }),
        ),
        { ...validProperties, headers: {} },
        /not a Celery protocol v2 task message/,
      ],
      [
        'invalid UTF-8 followed by JSON',
        Buffer.concat([Buffer.from([0xff, 0xfe]), validBody]),
        validProperties,
        /not valid UTF-8/,
      ],
      [
        'a byte order mark before the JSON',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), validBody]),
        validProperties,
        /not valid JSON/,
      ],
      [
        'invalid UTF-8 inside a JSON string',
        Buffer.concat([
          Buffer.from('[["'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"], {}, null]'),
        ]),
        validProperties,
        /not valid UTF-8/,
      ],
    ])(
      'rejects %s with a reason instead of throwing',
      (_name, content, properties, reason) => {
        let result: DecodeResult | undefined;

        expect(() => {
          result = decodeTaskMessage(content, properties);
        }).not.toThrow();

        expect(result).toMatchObject({
          ok: false,
          reason: expect.stringMatching(reason),
        });
      },
    );

    it('reports the task id and name it could read', () => {
      const result = decodeTaskMessage(Buffer.from('[]'), validProperties);

      expect(result).toMatchObject({
        ok: false,
        taskId: valid.properties.headers.id,
        task: 'add_task',
      });
    });
  });
});

describe(encodeTaskMessage.name, () => {
  it.each(captureRows)(
    'rebuilds $name exactly as Celery published it',
    ({ file, captured }) => {
      const sut = encodeTaskMessage(buildTaskMessage(specOf(file, captured)));

      const { headers, ...properties } = sut.options;
      expect(properties).toStrictEqual(withoutHeaders(captured.properties));
      const received = throughAmqplib(headers);
      expect(received).toEqual(captured.properties.headers);
      expect(Object.keys(received)).toEqual(
        Object.keys(captured.properties.headers),
      );
      // Same values and key order; only Python's ", " separators differ.
      expect(sut.content.toString('utf8')).toBe(
        JSON.stringify(JSON.parse(captured.body_utf8)),
      );
    },
  );

  it('sends every integer header as int32, which py-amqp reads as signed', () => {
    const sut = encodeTaskMessage(
      buildTaskMessage({
        task: 'add_task',
        id: 'a1',
        groupIndex: 500,
        retries: 200,
        timeLimit: 300,
        softTimeLimit: 240,
      }),
    );

    expect(sut.options.headers).toMatchObject({
      group_index: { '!': 'int', value: 500 },
      retries: { '!': 'int', value: 200 },
      timelimit: [
        { '!': 'int', value: 300 },
        { '!': 'int', value: 240 },
      ],
    });
  });
});
