import type { TaskRecord } from '../../src/contract/flower-task';

export interface TimelineStep {
  event:
    | 'sent'
    | 'received'
    | 'started'
    | 'retried'
    | 'succeeded'
    | 'failed'
    | 'revoked'
    | 'rejected';
  at: number;
  /** Seconds since the previous step; null for the first. */
  sincePrevious: number | null;
}

const EVENTS: TimelineStep['event'][] = [
  'sent',
  'received',
  'started',
  'retried',
  'succeeded',
  'failed',
  'revoked',
  'rejected',
];

/** The task's life in time order: sent → received → started → succeeded/failed. */
export function taskTimeline(task: TaskRecord): TimelineStep[] {
  const known = EVENTS.flatMap((event) => {
    const at = task[event];
    return typeof at === 'number' ? [{ event, at }] : [];
  });
  // Stable sort: on equal times the life order above is kept.
  known.sort((a, b) => a.at - b.at);
  return known.map((step, index) => ({
    ...step,
    sincePrevious: index === 0 ? null : step.at - known[index - 1].at,
  }));
}
