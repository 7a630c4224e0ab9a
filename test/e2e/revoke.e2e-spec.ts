// Revoke on the event loop (WORKER_POOL=event-loop, the default); the same
// suite runs in the other pools beside this file.
import { revokeSuite } from './suites/revoke.suite';

revokeSuite('event-loop');
