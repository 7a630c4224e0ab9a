import { ApiError, monitorApi } from '../api-client';
import type { AppState } from '../app-state';
import { append, type Child, h } from '../dom';
import {
  canRetry,
  canRevoke,
  formatDuration,
  formatTimestamp,
} from '../format';
import { taskHref, tasksHref } from '../router';
import { taskTimeline } from '../timeline';
import type { TaskRecord } from '../../../src/contract/flower-task';
import type { MonitorClientConfig } from '../../../src/contract/monitor-views';
import { progressBar, stateBadge, toast, updateProgressBar } from '../widgets';
import type { View } from './view';
import { workflowPanel } from './workflow-graph';

function field(label: string, value: Child, testId?: string): HTMLElement[] {
  return [
    h('dt', {}, label),
    h('dd', testId ? { 'data-testid': testId } : {}, value ?? '—'),
  ];
}

function code(text: string | null, testId: string): HTMLElement {
  return h('pre', { class: 'code', 'data-testid': testId }, text ?? '—');
}

function taskLink(id: string | null): Child {
  return id ? h('a', { href: taskHref(id), class: 'mono' }, id) : null;
}

function timeline(task: TaskRecord): HTMLElement {
  const steps = taskTimeline(task);
  if (steps.length === 0) {
    return h('p', { class: 'muted' }, 'No events yet.');
  }
  return h(
    'ol',
    { class: 'timeline', 'data-testid': 'task-timeline' },
    ...steps.map((step) =>
      h(
        'li',
        { class: `step step-${step.event}`, 'data-event': step.event },
        h('span', { class: 'step-name' }, step.event),
        h('time', {}, formatTimestamp(step.at)),
        step.sincePrevious === null
          ? null
          : h(
              'span',
              { class: 'muted' },
              `+${formatDuration(step.sincePrevious)}`,
            ),
      ),
    ),
  );
}

/** Says why there are no buttons, in place of them. */
function controlsOff(config: MonitorClientConfig): HTMLElement {
  return h(
    'span',
    {
      class: 'muted',
      'data-testid': 'controls-off',
      title: config.readOnly
        ? 'MONITOR_READ_ONLY=true: the monitor sends no tasks and controls no workers'
        : 'Set MONITOR_BASIC_AUTH or MONITOR_API_KEYS (or MONITOR_UNAUTHENTICATED_API=true) to revoke or retry from here',
    },
    config.readOnly ? 'Read-only monitor' : 'Controls need authentication',
  );
}

/** One task: its call, outcome, timeline, the actions on it and its workflow. */
export function taskDetailView(state: AppState, id: string): View {
  const body = h(
    'div',
    { class: 'detail-body' },
    h('p', { class: 'muted' }, 'Loading…'),
  );
  let busy = false;

  const act = async (label: string, action: () => Promise<string>) => {
    if (busy) {
      return;
    }
    busy = true;
    try {
      toast(await action());
    } catch (error) {
      toast(
        `${label} failed: ${error instanceof Error ? error.message : String(error)}`,
        'error',
      );
    } finally {
      busy = false;
    }
  };

  /** Revoke; with `terminate`, also stop it (SIGTERM) if it is running. */
  const revokeButton = (task: TaskRecord, terminate: boolean) => {
    const label = terminate ? 'Terminate' : 'Revoke';
    return h(
      'button',
      {
        type: 'button',
        class: terminate ? 'button danger' : 'button',
        'data-testid': terminate ? 'action-terminate' : 'action-revoke',
        disabled: !canRevoke(task.state),
        title: terminate
          ? 'Revoke, and stop it (SIGTERM) if it is running'
          : 'Workers refuse the task if it has not started',
        onclick: () =>
          void act(
            label,
            async () => (await monitorApi.revoke(task.uuid, terminate)).message,
          ),
      },
      label,
    );
  };

  const actions = (task: TaskRecord) =>
    state.config.controls ? controls(task) : controlsOff(state.config);

  const controls = (task: TaskRecord) =>
    h(
      'div',
      { class: 'actions' },
      revokeButton(task, false),
      revokeButton(task, true),
      canRetry(task.state)
        ? h(
            'button',
            {
              type: 'button',
              class: 'button primary',
              'data-testid': 'action-retry',
              title: 'Send the same task with the same arguments as a new task',
              onclick: () =>
                void act('Retry', async () => {
                  const sent = await monitorApi.retry(task.uuid);
                  location.hash = taskHref(sent['task-id']);
                  return `Sent again as ${sent['task-id']}`;
                }),
            },
            'Retry',
          )
        : null,
    );

  let shown = '';
  const render = (task: TaskRecord) => {
    // Progress alone moves the bar in place; anything else redraws.
    const everythingButProgress = JSON.stringify({ ...task, progress: null });
    const bar = body.querySelector<HTMLElement>('[role="progressbar"]');
    if (everythingButProgress === shown && bar && task.progress) {
      updateProgressBar(bar, task.progress);
      return;
    }
    shown = everythingButProgress;
    body.replaceChildren();
    append(body, [
      h(
        'div',
        { class: 'detail-head' },
        stateBadge(task.state),
        h('h1', {}, task.name ?? 'Unknown task'),
        h('span', { class: 'mono muted', 'data-testid': 'task-id' }, task.uuid),
        h('span', { class: 'spacer' }),
        actions(task),
      ),
      task.state === 'PROGRESS' && task.progress
        ? progressBar(task.progress)
        : null,
      h(
        'div',
        { class: 'detail-grid' },
        h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Call'),
          h(
            'dl',
            {},
            ...field('args', code(task.args, 'task-args')),
            ...field('kwargs', code(task.kwargs, 'task-kwargs')),
          ),
          h('h2', {}, 'Outcome'),
          h(
            'dl',
            {},
            ...field('result', code(task.result, 'task-result')),
            ...(task.exception
              ? field('exception', code(task.exception, 'task-exception'))
              : []),
          ),
          task.traceback
            ? h(
                'details',
                { open: true },
                h('summary', {}, 'Traceback'),
                code(task.traceback, 'task-traceback'),
              )
            : null,
        ),
        h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Timeline'),
          timeline(task),
          h('h2', {}, 'Details'),
          h(
            'dl',
            { class: 'facts' },
            ...field(
              'worker',
              task.worker
                ? h(
                    'a',
                    { href: tasksHref({ worker: task.worker }) },
                    task.worker,
                  )
                : null,
              'task-worker',
            ),
            ...field('runtime', formatDuration(task.runtime)),
            ...field(
              'retries',
              task.retries === null ? null : String(task.retries),
            ),
            ...field('queue', task.routing_key),
            ...field('exchange', task.exchange),
            ...field('eta', task.eta),
            ...field('expires', task.expires),
            ...field('parent', taskLink(task.parent_id)),
            ...field('root', taskLink(task.root_id)),
            ...field(
              'children',
              task.children.length > 0
                ? h(
                    'span',
                    { class: 'links' },
                    ...task.children.map((child) => taskLink(child)),
                  )
                : null,
            ),
            ...field('client', task.client),
          ),
        ),
      ),
    ]);
  };

  const known = state.tasks.get(id);
  if (known) {
    render(known);
  }
  monitorApi
    .taskInfo(id)
    .then((task) => state.tasksChanged.emit(state.tasks.apply([task])))
    .catch((error: unknown) => {
      if (state.tasks.get(id)) {
        return;
      }
      body.replaceChildren(
        h(
          'p',
          { class: 'empty', 'data-testid': 'task-missing' },
          error instanceof ApiError && error.status === 404
            ? `No task ${id} is known to the monitor.`
            : `Could not load the task: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    });

  const unsubscribe = state.tasksChanged.subscribe((changed) => {
    const task = changed.has(id) ? state.tasks.get(id) : undefined;
    if (task) {
      render(task);
    }
  });

  // Beside the body, which redraws on every change: the graph updates itself.
  const workflow = workflowPanel(state, id);
  return {
    element: h(
      'section',
      { class: 'view', 'data-testid': 'task-detail' },
      h('a', { href: '#/tasks', class: 'back' }, '← Tasks'),
      body,
      workflow.element,
    ),
    destroy: () => {
      unsubscribe();
      workflow.destroy();
    },
  };
}
