import { HttpStatus } from '@nestjs/common';
import type { TaskRegistry } from '@celeriac/tasks';
import { ApiProblemResponse } from './api-problem-response';
import { ProblemCode, ProblemException } from './problem-details.filter';

/** 404 for a task or group id nobody issued (or whose result expired). */
export function notFoundProblem(
  kind: 'task' | 'group',
  id: string,
): ProblemException {
  return new ProblemException(
    HttpStatus.NOT_FOUND,
    ProblemCode.NotFound,
    `No ${kind} with id ${JSON.stringify(id)} was issued, or its result expired.`,
  );
}

/**
 * 422 when any of `tasks` is not registered here, unless the caller asked
 * for `?unchecked=true` (tasks only Python workers know).
 */
export function requireRegistered(
  registry: TaskRegistry,
  tasks: readonly string[],
  unchecked: boolean | undefined,
): void {
  const unknown = [...new Set(tasks)].filter((task) => !registry.has(task));
  if (!unchecked && unknown.length > 0) {
    throw new ProblemException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      ProblemCode.TaskNotRegistered,
      `Unregistered task${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; send ?unchecked=true for tasks only Python workers know.`,
    );
  }
}

/** Swagger's side of {@link requireRegistered}: the 422 a route may answer. */
export function ApiUnregisteredTaskProblem(instance: string): MethodDecorator {
  return ApiProblemResponse(
    HttpStatus.UNPROCESSABLE_ENTITY,
    'Unregistered task name',
    {
      code: ProblemCode.TaskNotRegistered,
      detail:
        'Unregistered task: send_email; send ?unchecked=true for tasks only Python workers know.',
      instance,
    },
  );
}
