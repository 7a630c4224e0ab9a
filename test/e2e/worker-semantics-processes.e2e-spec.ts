// Worker semantics with WORKER_POOL=processes: tasks run in pool children.
import { workerSemanticsSuite } from './suites/worker-semantics.suite';

workerSemanticsSuite('processes');
