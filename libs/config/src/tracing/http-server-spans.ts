import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { celeriacTracer } from './start-tracing';

// Express sets these once a route matched.
type RoutedRequest = IncomingMessage & {
  route?: { path?: unknown };
  baseUrl?: string;
};

/**
 * Express middleware: one SERVER span per request, named `METHOD /route`
 * once a route matched, continuing the caller's W3C `traceparent` (and
 * `tracestate`, `baggage`). The request and response emitters are bound to
 * the span's context, so body parsing, the handler and everything it
 * publishes are its children. Install it first, and only with tracing on.
 */
export function httpServerSpans(
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const method = request.method ?? 'GET';
  const span = celeriacTracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: (request.url ?? '/').split('?')[0],
        [ATTR_URL_SCHEME]: 'encrypted' in request.socket ? 'https' : 'http',
        [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
        ...(request.socket.remoteAddress
          ? { [ATTR_CLIENT_ADDRESS]: request.socket.remoteAddress }
          : {}),
        ...(request.headers['user-agent']
          ? { [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'] }
          : {}),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) {
      return;
    }
    ended = true;
    const route = routeOf(request);
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
    }
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
    // Only a server fault is the server span's error (4xx is the client's).
    if (aborted) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' });
    } else if (response.statusCode >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  response.once('finish', () => end(false));
  response.once('close', () => end(!response.writableFinished));
  context.bind(active, request);
  context.bind(active, response);
  context.with(active, next);
}

function routeOf(request: RoutedRequest): string | undefined {
  const path = request.route?.path;
  return typeof path === 'string'
    ? `${request.baseUrl ?? ''}${path}`
    : undefined;
}
