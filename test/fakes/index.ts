export * from './results.fake';
export * from './broker.fake';
export * from './delivery.fake';
export * from './amqp.fake';
export * from './schedule.fake';
export * from './worker-engine.fake';
export * from './cluster.fake';
