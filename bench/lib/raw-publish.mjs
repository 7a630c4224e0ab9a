// The broker's ceiling for what a batch asks of it: one amqplib
// ConfirmChannel publishing one pre-built task message (the batch's shape,
// persistent, encoded once) to a durable classic queue declared as Celery
// declares it, `inFlight` unconfirmed at most. No HTTP, no Redis, no
// per-message encoding: what stands between the api and this rate is the
// api's own work and the channel it shares.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { declareQueue, deleteQueue, TASK } from './workload.mjs';

const require = createRequire(import.meta.url);
const broker = require('../../dist/apps/api/libs/broker/src/index.js');

/** One task message as the batch's items are (`args: [i]`), encoded once. */
export function rawMessage() {
  return broker.encodeTaskMessage(
    broker.buildTaskMessage({
      task: TASK,
      id: randomUUID(),
      args: [0],
      kwargs: {},
      argsForm: 'list',
      priority: 0,
    }),
  );
}

/** Declares `queue` (durable, classic, Celery's arguments) for the raw rows. */
export const declareRawQueue = (channel, queue) => declareQueue(channel, queue);
export const deleteRawQueue = (channel, queue) => deleteQueue(channel, queue);

/**
 * Publishes `count` copies of `message` on `channel` (a ConfirmChannel),
 * at most `inFlight` unconfirmed; resolves with messages per second.
 */
export function rawPublishRate(channel, queue, message, count, inFlight) {
  const { content, options } = message;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let pumping = false;
    let blocked = false;
    const pump = () => {
      if (pumping || blocked) return;
      pumping = true;
      while (sent - confirmed < inFlight && sent < count) {
        sent++;
        const room = channel.publish('', queue, content, options, onConfirm);
        if (!room) {
          blocked = true;
          channel.once('drain', () => {
            blocked = false;
            pump();
          });
          break;
        }
      }
      pumping = false;
    };
    const onConfirm = (error) => {
      if (error) {
        reject(error);
        return;
      }
      confirmed++;
      if (confirmed === count) {
        resolve(count / ((performance.now() - start) / 1000));
      } else {
        pump();
      }
    };
    pump();
  });
}
