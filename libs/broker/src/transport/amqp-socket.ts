/**
 * amqplib's socket options for every AMQP connection celeriac opens.
 *
 * `noDelay` turns Nagle's algorithm off (TCP_NODELAY); amqplib leaves it
 * on. With it on, a small frame written while an earlier one is still
 * unacknowledged waits for the broker's delayed ACK, about 40 ms on Linux:
 * a worker that publishes a task event and then acks (both small, on the
 * same socket) stalled that long on every task.
 *
 * @param connectionName - shown in RabbitMQ's connection list
 * @param timeoutMs - how long the TCP connect may take
 */
export function amqpSocketOptions(
  connectionName: string,
  timeoutMs?: number,
): {
  noDelay: true;
  timeout?: number;
  clientProperties: { connection_name: string };
} {
  return {
    noDelay: true,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    clientProperties: { connection_name: connectionName },
  };
}
