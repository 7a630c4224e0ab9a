import {
  buildControlReply,
  type ControlRequest,
  decodeControlRequest,
  isForNode,
} from './control-message';

// Bodies as Celery 5.2.6's app.control published them (captured from
// celery.pidbox): ping and revoke want replies, enable_events is a cast.
const PING =
  '{"method": "ping", "arguments": {}, "destination": ["nobody-capture@host"], "pattern": null, "matcher": null, "ticket": "16d9e330-2b28-4509-a866-58c62280a89e", "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "51678fce-d448-3925-ae21-79b51a42b215"}}';
const REVOKE =
  '{"method": "revoke", "arguments": {"task_id": "abc", "terminate": true, "signal": "SIGTERM"}, "destination": ["nobody-capture@host"], "pattern": null, "matcher": null, "ticket": "b3b1c599-2030-484f-ae50-18a3ffc55696", "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "b15384b0-8364-34ee-ad25-25922d82d700"}}';
const ENABLE_EVENTS =
  '{"method": "enable_events", "arguments": {}, "destination": null, "pattern": null, "matcher": null}';

function request(overrides: Partial<ControlRequest>): ControlRequest {
  return {
    method: 'ping',
    arguments: {},
    destination: null,
    pattern: null,
    matcher: null,
    ...overrides,
  };
}

describe('decodeControlRequest', () => {
  it("decodes Celery's ping, with its ticket and reply_to", () => {
    expect(decodeControlRequest(Buffer.from(PING), 'application/json')).toEqual(
      {
        method: 'ping',
        arguments: {},
        destination: ['nobody-capture@host'],
        pattern: null,
        matcher: null,
        ticket: '16d9e330-2b28-4509-a866-58c62280a89e',
        reply_to: {
          exchange: 'reply.celery.pidbox',
          routing_key: '51678fce-d448-3925-ae21-79b51a42b215',
        },
      },
    );
  });

  it("decodes Celery's revoke arguments as sent", () => {
    expect(decodeControlRequest(REVOKE)?.arguments).toEqual({
      task_id: 'abc',
      terminate: true,
      signal: 'SIGTERM',
    });
  });

  it('decodes a cast without ticket or reply_to', () => {
    const decoded = decodeControlRequest(ENABLE_EVENTS);

    expect(decoded).toEqual({
      method: 'enable_events',
      arguments: {},
      destination: null,
      pattern: null,
      matcher: null,
    });
    expect(decoded).not.toHaveProperty('reply_to');
  });

  it('treats absent or null arguments and destination as Celery does', () => {
    expect(
      decodeControlRequest('{"method": "ping", "arguments": null}'),
    ).toEqual(request({}));
  });

  it.each([
    ['not JSON', '{"method": '],
    ['not an object', '["ping"]'],
    ['JSON null', 'null'],
    ['no method', '{"arguments": {}}'],
    ['an empty method', '{"method": ""}'],
    ['a method that is not a string', '{"method": 1}'],
    ['arguments that are a list', '{"method": "ping", "arguments": [1]}'],
    ['a destination string', '{"method": "ping", "destination": "a@h"}'],
    ['a destination of numbers', '{"method": "ping", "destination": [1]}'],
    ['a numeric pattern', '{"method": "ping", "pattern": 1}'],
    ['a numeric ticket', '{"method": "ping", "ticket": 1}'],
    [
      'reply_to without routing_key',
      '{"method": "ping", "reply_to": {"exchange": "x"}}',
    ],
    ['reply_to as a string', '{"method": "ping", "reply_to": "x"}'],
  ])('gives null for %s', (_, body) => {
    expect(decodeControlRequest(body)).toBeNull();
  });

  it('gives null for content that is not JSON by its type', () => {
    expect(
      decodeControlRequest(PING, 'application/x-python-serialize'),
    ).toBeNull();
  });

  it('gives null for bytes that are not utf-8 JSON', () => {
    expect(decodeControlRequest(Buffer.from([0xff, 0xfe, 0x00]))).toBeNull();
  });
});

describe('isForNode', () => {
  const hostname = 'celeriac@host-1';

  it.each([
    ['no destination', true, request({})],
    [
      'an empty destination (a broadcast for Celery)',
      true,
      request({ destination: [] }),
    ],
    [
      'a destination naming it',
      true,
      request({ destination: ['other@h', hostname] }),
    ],
    [
      'a destination naming others',
      false,
      request({ destination: ['other@h'] }),
    ],
    [
      'a destination naming it partly',
      false,
      request({ destination: ['celeriac@host'] }),
    ],
    [
      'a matching glob',
      true,
      request({ pattern: 'celeriac@*', matcher: 'glob' }),
    ],
    [
      'a glob with ? and a set',
      true,
      request({ pattern: 'celer?ac@host-[0-9]', matcher: 'glob' }),
    ],
    [
      'a glob with a negated set',
      false,
      request({ pattern: 'celeriac@host-[!1]', matcher: 'glob' }),
    ],
    [
      'a glob matching a prefix only',
      false,
      request({ pattern: 'celeriac@', matcher: 'glob' }),
    ],
    [
      'a glob whose dots are literal',
      false,
      request({ pattern: 'celeriac.host-1', matcher: 'glob' }),
    ],
    [
      'a pcre matching the start (re.match)',
      true,
      request({ pattern: 'celeriac@h', matcher: 'pcre' }),
    ],
    [
      'a pcre matching later only',
      false,
      request({ pattern: 'host', matcher: 'pcre' }),
    ],
    ['an invalid pcre', false, request({ pattern: '(', matcher: 'pcre' })],
    ['an unknown matcher', false, request({ pattern: '*', matcher: 'nope' })],
    ['a pattern without matcher', true, request({ pattern: 'nobody' })],
    [
      'a destination, ignoring the pattern',
      true,
      request({ destination: [hostname], pattern: 'x', matcher: 'glob' }),
    ],
  ])('with %s: %s', (_, expected, message) => {
    expect(isForNode(message, hostname)).toBe(expected);
  });
});

describe('buildControlReply', () => {
  it('puts the answer under the node name', () => {
    expect(buildControlReply('celeriac@host-1', { ok: 'pong' })).toEqual({
      'celeriac@host-1': { ok: 'pong' },
    });
  });

  it('keeps a null answer', () => {
    expect(buildControlReply('n@h', null)).toEqual({ 'n@h': null });
  });
});
