import Fastify, { type FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import { pinoHttp, type Options } from 'pino-http';
import { assignRequestId } from '@celeriac/config';
import { logRequests, RequestLog } from './request-logging';

// The api's pino-http options (libs/config's CeleriacLoggerModule).
const OPTIONS: Options = {
  level: 'info',
  redact: ['req.headers.authorization', 'req.headers.cookie'],
};

function lineSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

function setRoot(logger: unknown): void {
  (PinoLogger as unknown as { root: unknown }).root = logger;
}

// Routes answering 200, 400 and 503, with the api's request id hook first.
function appWith(hooks: (app: FastifyInstance) => void): FastifyInstance {
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    assignRequestId(request.raw, reply.raw);
    done();
  });
  hooks(app);
  app.get('/solo/add', () => ({ ok: true }));
  app.post('/v1/tasks', (_request, reply) => reply.code(400).send({}));
  app.get('/down', (_request, reply) => reply.code(503).send({}));
  app.get('/health/ready', () => ({ ok: true }));
  return app;
}

// Servers of this spec listen in the test's port range, each on its own
// port (fetch keeps connections to the last one alive).
let nextPort = 21_100;

// Sends each request to the app, listening, in order; then closes it.
async function send(
  app: FastifyInstance,
  requests: ({ url: string } & RequestInit)[],
): Promise<void> {
  const port = nextPort++;
  await app.listen({ port, host: '127.0.0.1' });
  try {
    for (const { url, ...init } of requests) {
      await (await fetch(`http://127.0.0.1:${port}${url}`, init)).text();
    }
  } finally {
    await app.close();
  }
}

function sendRequests(app: FastifyInstance): Promise<void> {
  return send(app, [
    {
      url: '/solo/add?a=1&b=2',
      headers: { 'x-request-id': 'rid-1', cookie: 'a=b' },
    },
    {
      url: '/v1/tasks',
      method: 'POST',
      headers: {
        authorization: 'Bearer k',
        'content-type': 'application/json',
        'x-request-id': 'rid-2',
      },
      body: '{"task":"add_task"}',
    },
    { url: '/down', headers: { 'x-request-id': 'rid-3' } },
    { url: '/health/ready' },
  ]);
}

// What may differ between two runs of the same requests.
function comparable(line: Record<string, unknown>): Record<string, unknown> {
  const { time: _time, responseTime, err, ...rest } = line;
  const req = rest.req as Record<string, unknown>;
  const headers = req.headers as Record<string, unknown>;
  return {
    ...rest,
    req: { ...req, remotePort: undefined, headers: { ...headers, host: 0 } },
    responseTime: typeof responseTime,
    err: err && { ...err, stack: undefined },
  };
}

describe('logRequests', () => {
  afterEach(() => setRoot(undefined));

  it('writes the lines pino-http wrote as middleware, without health probes', async () => {
    const middleware = lineSink();
    const viaMiddleware = pinoHttp(
      {
        ...OPTIONS,
        autoLogging: { ignore: (r) => !!r.url?.startsWith('/health') },
      },
      middleware.stream,
    );
    const before = appWith((app) =>
      app.addHook('onRequest', (request, reply, done) => {
        Object.assign(request.raw, { query: request.query });
        viaMiddleware(request.raw, reply.raw, () => done());
      }),
    );
    await sendRequests(before);

    const hook = lineSink();
    setRoot(pinoHttp(OPTIONS, hook.stream).logger);
    const after = appWith(logRequests);
    await sendRequests(after);

    expect(hook.lines).toHaveLength(3);
    expect(hook.lines.map(comparable)).toEqual(
      middleware.lines.map(comparable),
    );
    expect(hook.lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: {
        id: 'rid-1',
        url: '/solo/add?a=1&b=2',
        query: { a: '1', b: '2' },
        headers: { cookie: '[Redacted]' },
      },
      res: { statusCode: 200 },
    });
    expect(hook.lines[2]).toMatchObject({
      msg: 'request errored',
      err: { message: 'failed with status code 503' },
    });
  });

  it('writes nothing and builds nothing above info', async () => {
    const hook = lineSink();
    setRoot(pinoHttp({ ...OPTIONS, level: 'warn' }, hook.stream).logger);
    const app = appWith(logRequests);
    await sendRequests(app);
    expect(hook.lines).toEqual([]);
  });
});

describe('RequestLog', () => {
  afterEach(() => setRoot(undefined));

  it("writes a component's line with the request's req and its context", async () => {
    const sink = lineSink();
    setRoot(pinoHttp(OPTIONS, sink.stream).logger);
    const log = new RequestLog('ProblemDetailsFilter');
    const app = appWith(() => undefined);
    app.get('/fails', (request) => {
      log.warn(request, { msg: 'dependency unavailable', code: 'X' });
      return {};
    });
    await send(app, [
      {
        url: '/fails',
        headers: { 'x-request-id': 'rid-9', authorization: 'Bearer k' },
      },
    ]);
    expect(sink.lines).toHaveLength(1);
    expect(Object.keys(sink.lines[0])).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'req',
      'context',
      'msg',
      'code',
    ]);
    expect(sink.lines[0]).toMatchObject({
      level: 40,
      req: { id: 'rid-9', headers: { authorization: '[Redacted]' } },
      context: 'ProblemDetailsFilter',
      msg: 'dependency unavailable',
    });
  });
});
