import { monitorApi } from './api-client';
import { AppState, type ConnectionStatus } from './app-state';
import { setText } from './dom';
import { followEvents, loadSnapshot } from './live';
import { parseRoute, taskHref } from './router';
import { toast } from './widgets';
import { overviewView } from './views/overview-view';
import { notFoundView, queuesView, workersView } from './views/simple-views';
import { taskDetailView } from './views/task-detail-view';
import { tasksView } from './views/tasks-view';
import type { View } from './views/view';

const state = new AppState();
const main = document.getElementById('main') as HTMLElement;
let current: View | undefined;

function show(): void {
  const route = parseRoute(location.hash);
  current?.destroy();
  switch (route.view) {
    case 'overview':
      current = overviewView(state);
      break;
    case 'tasks':
      current = tasksView(state, route.params);
      break;
    case 'task':
      current = taskDetailView(state, route.id);
      break;
    case 'workers':
      current = workersView(state);
      break;
    case 'queues':
      current = queuesView(state);
      break;
    case 'not-found':
      current = notFoundView(route.path);
      break;
  }
  main.replaceChildren(current.element);
  const section = route.view === 'task' ? 'tasks' : route.view;
  for (const link of document.querySelectorAll<HTMLAnchorElement>(
    'nav a[data-section]',
  )) {
    link.classList.toggle('active', link.dataset.section === section);
  }
}

const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function watchConnection(): void {
  const indicator = document.getElementById('connection') as HTMLElement;
  const paint = (status: ConnectionStatus) => {
    indicator.dataset.status = status;
    setText(indicator, CONNECTION_TEXT[status]);
  };
  paint(state.connection);
  state.connectionChanged.subscribe(paint);
}

/** The header's box: an id jumps to the task, anything else searches. */
function watchJump(): void {
  const form = document.getElementById('jump') as HTMLFormElement;
  const input = form.querySelector('input') as HTMLInputElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      return;
    }
    location.hash =
      state.tasks.get(text) || /^[0-9a-f-]{36}$/i.test(text)
        ? taskHref(text)
        : `#/tasks?search=${encodeURIComponent(text)}`;
    input.value = '';
  });
}

// Known before the first view: a read-only monitor never shows a control.
try {
  state.config = await monitorApi.config();
} catch (error) {
  toast(
    `Could not load the monitor's settings, controls hidden: ${error instanceof Error ? error.message : String(error)}`,
    'error',
  );
}
window.addEventListener('hashchange', show);
watchConnection();
watchJump();
show();
followEvents(state);
loadSnapshot(state).catch((error: unknown) => {
  toast(
    `Could not load the monitor's data: ${error instanceof Error ? error.message : String(error)}`,
    'error',
  );
});
