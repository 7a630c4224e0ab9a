import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, with its service. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
}

/** OTLP span kinds, as numbers on the wire. */
export const SPAN_KIND = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/**
 * An OTLP/HTTP trace receiver owned by a test: accepts `POST /v1/traces`
 * in the `http/json` encoding, keeps every span, and records each
 * request's content type (a protobuf body is kept raw, undecoded).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { contentType: string; body: Buffer }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const contentType = request.headers['content-type'] ?? '';
        receiver.requests.push({ contentType, body });
        if (request.url === '/v1/traces' && contentType.includes('json')) {
          receiver.collect(JSON.parse(body.toString('utf8')) as OtlpExport);
        }
        response.writeHead(200, {
          'content-type': contentType || 'text/plain',
        });
        response.end(contentType.includes('json') ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    return receiver;
  }

  /** `http://127.0.0.1:<port>`, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Every span of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Whether `descendant` is under `ancestor` in its trace. */
  isDescendant(descendant: ReceivedSpan, ancestor: ReceivedSpan): boolean {
    const byId = new Map(
      this.trace(descendant.traceId).map((s) => [s.spanId, s]),
    );
    let current = byId.get(descendant.parentSpanId);
    while (current) {
      if (current.spanId === ancestor.spanId) {
        return true;
      }
      current = byId.get(current.parentSpanId);
    }
    return false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private collect(exported: OtlpExport): void {
    for (const { resource, scopeSpans = [] } of exported.resourceSpans ?? []) {
      const service = String(
        attributesOf(resource?.attributes)['service.name'],
      );
      for (const { spans = [] } of scopeSpans) {
        for (const span of spans) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
            status: {
              code: span.status?.code ?? 0,
              message: span.status?.message,
            },
            events: (span.events ?? []).map((event) => ({
              name: event.name,
              attributes: attributesOf(event.attributes),
            })),
          });
        }
      }
    }
  }
}

// OTLP JSON wraps each value in its type: {stringValue}, {intValue}, ...
function attributesOf(list: OtlpKeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [key, Object.values(value)[0]]),
  );
}
