// Worker semantics with WORKER_POOL=threads: tasks run in pool children.
import { workerSemanticsSuite } from './suites/worker-semantics.suite';

workerSemanticsSuite('threads');
