import type { MessageProperties } from 'amqplib';

/**
 * How many times a quorum queue has delivered this message before and got
 * it back (a reject with requeue, or a consumer that died holding it): its
 * `x-delivery-count` header. Classic queues do not count: 0.
 */
export function previousDeliveries(properties: MessageProperties): number {
  const count: unknown = properties.headers?.['x-delivery-count'];
  return typeof count === 'number' && Number.isFinite(count) ? count : 0;
}

/**
 * Why a message has reached the delivery limit and must be dead-lettered
 * instead of run again (a poison message that keeps killing its worker), or
 * undefined to run it. A limit of 0 means none. This is the worker's check,
 * not the queue's `x-delivery-limit` argument: that argument would have to be
 * in every client's declaration of the queue (Python Celery's too), or the
 * second declaration fails with 406.
 *
 * @param limit - deliveries allowed (TASK_DELIVERY_LIMIT)
 */
export function deliveryLimitReason(
  properties: MessageProperties,
  limit: number,
): string | undefined {
  const deliveries = previousDeliveries(properties) + 1;
  return limit > 0 && deliveries > limit
    ? `delivery limit exceeded: delivered ${deliveries} times, TASK_DELIVERY_LIMIT is ${limit}`
    : undefined;
}
