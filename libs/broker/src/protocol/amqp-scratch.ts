/**
 * The scratch buffer the publish-frame encoder writes into
 * (amqp-publish-frames.ts): one per process, grown when a message needs
 * more, so a publish allocates only its final frames.
 */

const SHORTSTR_MAX = 255;

/** Thrown inside the encoder when a value needs amqplib's own handling. */
class NotEncodable extends Error {}
export const NOT_ENCODABLE = new NotEncodable();

/**
 * The buffer and the next offset to write at. Strings are written straight
 * into it, and a string of n UTF-16 units takes at most 3n bytes, so
 * `ensure` before a write keeps `Buffer#write` from truncating.
 */
export const out = { buffer: Buffer.allocUnsafe(64 * 1024), at: 0 };

export function ensure(bytes: number): void {
  if (out.at + bytes <= out.buffer.length) {
    return;
  }
  const grown = Buffer.allocUnsafe(
    Math.max(out.buffer.length * 2, out.at + bytes),
  );
  out.buffer.copy(grown, 0, 0, out.at);
  out.buffer = grown;
}

export function octet(value: number): void {
  ensure(1);
  out.buffer[out.at++] = value;
}

export function shortString(value: string): void {
  ensure(1 + value.length * 3);
  const length = out.buffer.write(value, out.at + 1, 'utf8');
  if (length > SHORTSTR_MAX) {
    throw NOT_ENCODABLE;
  }
  out.buffer[out.at] = length;
  out.at += 1 + length;
}

export function longString(value: string): void {
  ensure(5 + value.length * 3);
  out.buffer[out.at] = 0x53; // 'S'
  const length = out.buffer.write(value, out.at + 5, 'utf8');
  out.buffer.writeUInt32BE(length, out.at + 1);
  out.at += 5 + length;
}
