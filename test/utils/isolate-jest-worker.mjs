// Jest setupFiles entry of the e2e and interop suites: points the apps a
// suite boots, the processes it spawns (they inherit process.env) and the
// helpers of test/utils at this jest worker's own vhost and Redis database.
// A suite's useEnvironment({ BROKER_URL, ... }) still overrides them.
import { TEST_REDIS_PORT, testRedisDb, testVhost } from './test-services.mjs';

const workerId = process.env.JEST_WORKER_ID ?? '1';
process.env.TEST_VHOST = testVhost(workerId);
process.env.TEST_REDIS_DB = String(testRedisDb(workerId));
process.env.BROKER_URL = `amqp://guest:guest@127.0.0.1:5672/${process.env.TEST_VHOST}`;
process.env.TEST_REDIS_PORT = String(TEST_REDIS_PORT);
process.env.RESULT_BACKEND_URL = `redis://127.0.0.1:${TEST_REDIS_PORT}/${process.env.TEST_REDIS_DB}`;
