import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into "Internal server error";
 * the executor needs the task's own error to store Celery's exception dict
 * (type, message, traceback), so `@Task` handlers rethrow it unchanged.
 */
@Catch()
export class TaskErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
