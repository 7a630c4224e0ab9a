import { h, setText } from './dom';
import { progressPercent, stateLook } from './format';
import type { TaskProgress } from '../../src/contract/flower-task';

/** A state pill: `<span class="badge tone-success">Success</span>`. */
export function stateBadge(state: string): HTMLSpanElement {
  const badge = h('span', { 'data-testid': 'task-state' });
  updateStateBadge(badge, state);
  return badge;
}

export function updateStateBadge(badge: HTMLElement, state: string): void {
  const look = stateLook(state);
  const className = `badge tone-${look.tone}`;
  if (badge.className !== className) {
    badge.className = className;
  }
  setText(badge, look.label);
  badge.title = state;
}

/**
 * A PROGRESS bar a screen reader (and a test) can read: aria-valuenow is
 * `current`, aria-valuemax is `total`.
 */
export function progressBar(progress: TaskProgress): HTMLDivElement {
  const fill = h('div', { class: 'progress-fill' });
  const label = h('span', { class: 'progress-label' });
  const bar = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'data-testid': 'task-progress',
      'aria-valuemin': 0,
    },
    fill,
    label,
  );
  updateProgressBar(bar, progress);
  return bar;
}

export function updateProgressBar(
  bar: HTMLElement,
  progress: TaskProgress,
): void {
  const percent = progressPercent(progress) ?? 0;
  bar.setAttribute('aria-valuenow', String(progress.current));
  bar.setAttribute('aria-valuemax', String(progress.total));
  bar.setAttribute('aria-label', `${progress.current} of ${progress.total}`);
  const fill = bar.firstElementChild as HTMLElement;
  fill.style.width = `${percent}%`;
  setText(bar.lastElementChild as HTMLElement, `${percent}%`);
}

/** Shows a short message at the bottom of the page for a few seconds. */
export function toast(message: string, tone: 'info' | 'error' = 'info'): void {
  const element = h(
    'div',
    { class: `toast toast-${tone}`, role: 'status', 'data-testid': 'toast' },
    message,
  );
  document.body.appendChild(element);
  setTimeout(() => element.remove(), 5000);
}
