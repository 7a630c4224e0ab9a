import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The two functions of amqplib's `lib/codec.js` (not in its exports map). */
export interface AmqplibCodec {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
}

/** amqplib's own field-table codec: what really goes on the wire. */
export function loadAmqplibCodec(): AmqplibCodec {
  const requireHere = createRequire(join(process.cwd(), 'package.json'));
  const main = requireHere.resolve('amqplib');
  return requireHere(join(dirname(main), 'lib', 'codec.js')) as AmqplibCodec;
}
