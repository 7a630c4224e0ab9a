import type { ConfirmChannel, Options } from 'amqplib';
import {
  encodePublishFrames,
  type PublishProperties,
} from '../protocol/amqp-publish-frames';
import { toAmqpHeaders } from '../protocol/amqp-headers';

/**
 * Marks publish options whose `headers` are Celery's, untyped: the
 * publisher types them (celery-protocol.md §B.11) while it encodes them.
 * A symbol, so it survives amqp-connection-manager's `{...options}` copy
 * and amqplib never sees it.
 */
export const CELERY_HEADERS: unique symbol = Symbol('celeriac.celeryHeaders');

/** Publish options carrying Celery's headers as they are. */
export type CeleryPublishOptions = PublishProperties & {
  [CELERY_HEADERS]: true;
};

/** The parts of amqplib's (2.x) channel this touches, checked at runtime. */
interface ChannelInternals {
  ch?: unknown;
  connection?: {
    frameMax?: unknown;
    sentSinceLastCheck?: boolean;
    channels?: ({ channel?: unknown; buffer?: { write?: unknown } } | null)[];
  };
  sendMessage?: unknown;
  pushConfirmCallback?: unknown;
}

type Publish = ConfirmChannel['publish'];
type ConfirmCallback = (error: unknown, ok: unknown) => void;

/**
 * Makes `channel.publish` write the frames of a message marked
 * {@link CELERY_HEADERS} itself ({@link encodePublishFrames}), then
 * register its confirm callback exactly as amqplib's `ConfirmChannel#publish`
 * does; everything else, and anything the encoder leaves to amqplib, goes
 * through amqplib's publish unchanged (headers typed by `toAmqpHeaders`).
 *
 * amqp-connection-manager calls `publish` on the channel it made, so its
 * buffering, retries and timeouts are untouched. This reaches into
 * amqplib's private `Channel#ch`, `Connection#channels` (the channel's
 * outgoing frame stream, which `Connection#sendMessage` writes) and
 * `Channel#pushConfirmCallback`; if a later amqplib moves them, nothing is
 * patched and every publish goes through amqplib.
 *
 * @returns whether the channel now writes frames itself
 */
export function publishFramesOn(channel: ConfirmChannel): boolean {
  const internals = channel as unknown as ChannelInternals;
  const send = internals.sendMessage;
  const confirm = internals.pushConfirmCallback;
  const connection = internals.connection;
  const number = internals.ch;
  if (
    typeof number !== 'number' ||
    typeof send !== 'function' ||
    typeof confirm !== 'function' ||
    typeof connection?.frameMax !== 'number' ||
    !Array.isArray(connection.channels) ||
    typeof connection.channels[number]?.buffer?.write !== 'function'
  ) {
    installHeaderTyping(channel);
    return false;
  }
  const amqplibPublish: Publish = channel.publish.bind(channel);
  const publish = (
    exchange: string,
    routingKey: string,
    content: Buffer,
    options?: Options.Publish,
    callback?: ConfirmCallback,
  ): boolean => {
    const slot = connection.channels?.[number];
    // A closed channel swaps in a throwing sendMessage and gives up its
    // slot: leave both cases to amqplib, which throws as it should.
    if (
      isCelery(options) &&
      internals.sendMessage === send &&
      slot?.channel === channel &&
      Buffer.isBuffer(content)
    ) {
      const frames = encodePublishFrames(
        number,
        connection.frameMax as number,
        exchange,
        routingKey,
        content,
        options,
      );
      if (frames) {
        connection.sentSinceLastCheck = true;
        const room = (slot.buffer as { write(frames: Buffer): boolean }).write(
          frames,
        );
        (confirm as (callback?: ConfirmCallback) => void).call(
          channel,
          callback,
        );
        return room;
      }
    }
    return amqplibPublish(
      exchange,
      routingKey,
      content,
      typedOptions(options),
      callback,
    );
  };
  channel.publish = publish as Publish;
  return true;
}

// Without the private parts, still type the headers before amqplib sees them.
function installHeaderTyping(channel: ConfirmChannel): void {
  const amqplibPublish: Publish = channel.publish.bind(channel);
  channel.publish = ((exchange, routingKey, content, options, callback) =>
    amqplibPublish(
      exchange,
      routingKey,
      content,
      typedOptions(options),
      callback,
    )) as Publish;
}

function isCelery(
  options: Options.Publish | undefined,
): options is CeleryPublishOptions {
  return (
    options !== undefined &&
    (options as Partial<CeleryPublishOptions>)[CELERY_HEADERS] === true
  );
}

function typedOptions(
  options: Options.Publish | undefined,
): Options.Publish | undefined {
  if (!isCelery(options) || options.headers === undefined) {
    return options;
  }
  return { ...options, headers: toAmqpHeaders(options.headers) };
}
