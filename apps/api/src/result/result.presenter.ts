import { HttpStatus } from '@nestjs/common';
import { isReadyState, TaskState, type TaskMeta } from '@celeriac/results';
import type {
  GroupMemberResultDto,
  GroupResultDto,
  TaskResultDto,
} from './dto/result.dto';

/** 200 once a task is done (whatever the outcome), 202 while it is not. */
export function statusCodeOf(state: string): HttpStatus {
  return isReadyState(state) ? HttpStatus.OK : HttpStatus.ACCEPTED;
}

/** The seed's result body for one task's Celery meta. */
export function presentTask(taskId: string, meta: TaskMeta): TaskResultDto {
  const body: TaskResultDto = {
    task_id: taskId,
    status: meta.status,
    result: is(meta.status, TaskState.Success) ? meta.result : null,
  };
  if (
    is(meta.status, TaskState.Failure) ||
    is(meta.status, TaskState.Revoked)
  ) {
    body.error = errorOf(meta.result);
  }
  if (is(meta.status, TaskState.Failure)) {
    body.traceback = meta.traceback;
  }
  if (is(meta.status, TaskState.Progress)) {
    body.progress = meta.result;
  }
  return body;
}

/** The seed's group body; a member without a result yet is PENDING. */
export function presentGroup(
  groupId: string,
  memberIds: string[],
  metas: (TaskMeta | null)[],
): GroupResultDto {
  const results: GroupMemberResultDto[] = memberIds.map((taskId, index) => {
    const meta = metas[index];
    return {
      task_id: taskId,
      status: meta?.status ?? TaskState.Pending,
      result: meta && is(meta.status, TaskState.Success) ? meta.result : null,
    };
  });
  const completed = results.filter((r) =>
    is(r.status, TaskState.Success),
  ).length;
  return {
    group_id: groupId,
    ready: results.every((r) => isReadyState(r.status)),
    successful: completed === results.length,
    completed,
    total: results.length,
    results,
  };
}

// Celery stores an exception as {exc_type, exc_message: [...args], exc_module}.
function errorOf(result: unknown): { type: string; message: string } {
  if (typeof result === 'object' && result !== null && 'exc_type' in result) {
    const { exc_type, exc_message } = result as {
      exc_type: unknown;
      exc_message: unknown;
    };
    const args = Array.isArray(exc_message) ? exc_message : [exc_message];
    return {
      type: String(exc_type),
      message:
        args.length === 1 ? String(args[0]) : args.map(String).join(', '),
    };
  }
  return { type: 'Exception', message: String(result) };
}

// Stored states are plain strings; Celery may write states this enum lacks.
function is(status: string, state: TaskState): boolean {
  return status === (state as string);
}
