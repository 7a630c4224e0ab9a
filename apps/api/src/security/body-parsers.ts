import { HttpStatus } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './body-depth';
import { securityMessages } from './security.messages';

/** A form may carry this many parameters, as body-parser allowed before. */
export const MAX_FORM_PARAMETERS = 1000;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/**
 * A size as API_BODY_LIMIT spells it (`512kb`, `1mb`, `1.5mb`, `2048`) in
 * bytes, counted in powers of 1024 as body-parser counted them.
 *
 * @example bytesOf('1mb') // 1048576
 */
export function bytesOf(size: string): number {
  const match = /^(\d+(?:\.\d+)?)(b|kb|mb|gb)?$/i.exec(size.trim());
  if (!match) {
    throw new Error(`not a size: ${size}`);
  }
  const unit = UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

/**
 * Only unencoded bodies are read: a gzip or unknown Content-Encoding is a
 * 415, never bytes parsed as if they were plain text.
 */
export function refuseEncodedBody(headers: IncomingHttpHeaders): void {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new ProblemException(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      ProblemCode.HttpError,
      `Content-Encoding ${encoding.slice(0, 32)} is not accepted; send the body unencoded.`,
    );
  }
}

/** JSON is UTF-8 (RFC 8259): any other declared charset is a 415. */
function refuseOtherCharset(headers: IncomingHttpHeaders): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(
    headers['content-type'] ?? '',
  )?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new ProblemException(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      ProblemCode.HttpError,
      'A JSON body must be UTF-8.',
    );
  }
}

function refuseDeepBody(body: unknown): unknown {
  if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
    throw new ProblemException(
      HttpStatus.BAD_REQUEST,
      ProblemCode.BodyTooDeep,
      securityMessages.bodyTooDeep(MAX_BODY_DEPTH),
    );
  }
  return body;
}

/**
 * A JSON body: an object or an array at the top (strict, as body-parser
 * was), `{}` when empty; broken JSON is a 400 that does not echo the body,
 * and a body nested deeper than MAX_BODY_DEPTH a 400 before any recursive
 * code (validation, the idempotency hash) can overflow on it.
 */
export function parseJsonBody(
  headers: IncomingHttpHeaders,
  raw: Buffer,
): unknown {
  refuseEncodedBody(headers);
  refuseOtherCharset(headers);
  if (raw.length === 0) {
    return {};
  }
  const text = raw.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  let body: unknown;
  try {
    if (first !== '{' && first !== '[') {
      throw new SyntaxError('not an object or an array');
    }
    body = JSON.parse(text);
  } catch {
    throw new ProblemException(
      HttpStatus.BAD_REQUEST,
      ProblemCode.MalformedJson,
      securityMessages.malformedJson(),
    );
  }
  return refuseDeepBody(body);
}

/**
 * An `application/x-www-form-urlencoded` body as flat fields (a repeated
 * name is a list); more than MAX_FORM_PARAMETERS is a 413.
 */
export function parseFormBody(
  headers: IncomingHttpHeaders,
  raw: Buffer,
): Record<string, unknown> {
  refuseEncodedBody(headers);
  const text = raw.toString('utf8');
  let parameters = text.length === 0 ? 0 : 1;
  for (let index = text.indexOf('&'); index !== -1;) {
    parameters += 1;
    if (parameters > MAX_FORM_PARAMETERS) {
      throw new ProblemException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ProblemCode.PayloadTooLarge,
        `A form may carry at most ${MAX_FORM_PARAMETERS} parameters.`,
      );
    }
    index = text.indexOf('&', index + 1);
  }
  // A plain object: querystring's has no prototype, which class-transformer
  // and the idempotency hash do not expect.
  return { ...parseQueryString(text, '&', '=', { maxKeys: 0 }) };
}
