import type { CanvasEventField, CanvasOutline } from '@celeriac/broker';
import type { TaskRecord } from '../contract/flower-task';

/** What the workflow assembly reads: the monitor's tasks and what it knows of their canvas. */
export interface WorkflowSource {
  /** A task as the API presents it (PROGRESS while it reports progress). */
  task(id: string): TaskRecord | undefined;
  /** Every task the monitor keeps. */
  tasks(): Iterable<TaskRecord>;
  /** The `canvas` field of the task's `task-received` event. */
  canvas(id: string): CanvasEventField | undefined;
  /** The group a stored result names (`group_id`), for workers that send no canvas field. */
  storedGroup(id: string): string | undefined;
  /** Every task whose canvas field is known, with it. */
  canvases(): Iterable<[string, CanvasEventField]>;
}

/** The group a task is a member of, by its event or its stored result. */
export function groupOf(
  source: WorkflowSource,
  id: string,
): string | undefined {
  return source.canvas(id)?.group ?? source.storedGroup(id);
}

/** Every task id an outline names, in plan order. */
export function outlineIds(outline: CanvasOutline): string[] {
  if ('task' in outline) {
    return outline.id ? [outline.id] : [];
  }
  if ('chain' in outline) {
    return outline.chain.flatMap(outlineIds);
  }
  if ('members' in outline) {
    return outline.members.flatMap(outlineIds);
  }
  return [...outline.header.flatMap(outlineIds), ...outlineIds(outline.body)];
}

/** Every task id a canvas field names: chain steps, chord body, links. */
export function fieldIds(field: CanvasEventField): string[] {
  return [
    ...(field.chain ?? []),
    ...(field.chord ? [field.chord] : []),
    ...(field.link ?? []),
    ...(field.link_error ?? []),
  ].flatMap(outlineIds);
}
