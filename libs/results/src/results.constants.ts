/** Injection token of the results lib's ioredis client. */
export const REDIS_CLIENT = 'RESULTS:REDIS_CLIENT';
