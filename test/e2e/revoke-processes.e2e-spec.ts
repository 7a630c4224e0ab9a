// Revoke with WORKER_POOL=processes: terminate kills the pool child running the task.
import { revokeSuite } from './suites/revoke.suite';

revokeSuite('processes');
