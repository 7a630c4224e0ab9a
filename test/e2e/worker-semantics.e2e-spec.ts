// Worker semantics on the event loop (WORKER_POOL=event-loop, the default);
// the same suite runs in the other pools beside this file.
import { workerSemanticsSuite } from './suites/worker-semantics.suite';

workerSemanticsSuite('event-loop');
