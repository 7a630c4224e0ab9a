// Revoke with WORKER_POOL=threads: terminate kills the pool child running the task.
import { revokeSuite } from './suites/revoke.suite';

revokeSuite('threads');
