import type { View } from './view';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { monitorApi } from '../api-client';
import type { AppState } from '../app-state';
import { THROUGHPUT_STATES } from '../../../src/contract/monitor-views';
import { runtimeSeries, throughputSeries } from '../chart-data';
import { h } from '../dom';
import { stateLook } from '../format';

// Only what the two bar charts use, so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

const STATS_EVERY_MS = 5000;

/** Colours come from the stylesheet, so charts follow the light/dark theme. */
function cssVar(name: string): string {
  return getComputedStyle(document.documentElement)
    .getPropertyValue(name)
    .trim();
}

function toneColour(state: string): string {
  return cssVar(`--tone-${stateLook(state).tone}`);
}

function applyTheme(): void {
  Chart.defaults.color = cssVar('--muted');
  Chart.defaults.borderColor = cssVar('--grid');
  Chart.defaults.font.family = cssVar('--font');
}

/** Throughput by state over time, and the runtime histogram, refreshed every 5 s. */
export function chartsPanel(state: AppState): View {
  applyTheme();
  const throughputCanvas = h('canvas', {
    'aria-label': 'Tasks per 5 seconds by state',
    role: 'img',
  });
  const runtimeCanvas = h('canvas', {
    'aria-label': 'Runtime distribution of finished tasks',
    role: 'img',
  });
  const throughput = new Chart<'bar', number[], string>(throughputCanvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: THROUGHPUT_STATES.map((taskState) => ({
        label: stateLook(taskState).label,
        data: [],
        backgroundColor: toneColour(taskState),
        stack: 'states',
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, ticks: { maxTicksLimit: 10 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } },
    },
  });
  const runtime = new Chart<'bar', number[], string>(runtimeCanvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        {
          label: 'Finished tasks',
          data: [],
          backgroundColor: cssVar('--accent'),
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
    },
  });

  const render = () => {
    if (!state.stats) {
      return;
    }
    const series = throughputSeries(state.stats.throughput);
    throughput.data.labels = series.labels;
    THROUGHPUT_STATES.forEach((taskState, index) => {
      throughput.data.datasets[index].data = series.series[taskState];
    });
    throughput.update('none');
    const histogram = runtimeSeries(state.stats.runtime);
    runtime.data.labels = histogram.labels;
    runtime.data.datasets[0].data = histogram.counts;
    runtime.update('none');
  };

  const load = () =>
    monitorApi
      .stats()
      .then((stats) => state.setStats(stats))
      .catch((error: unknown) =>
        console.warn('dashboard: stats not loaded', error),
      );
  void load();
  const timer = setInterval(() => void load(), STATS_EVERY_MS);
  const unsubscribe = state.statsChanged.subscribe(render);
  render();

  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const retheme = () => {
    applyTheme();
    THROUGHPUT_STATES.forEach((taskState, index) => {
      throughput.data.datasets[index].backgroundColor = toneColour(taskState);
    });
    runtime.data.datasets[0].backgroundColor = cssVar('--accent');
    throughput.update('none');
    runtime.update('none');
  };
  scheme.addEventListener('change', retheme);

  return {
    element: h(
      'div',
      { class: 'charts' },
      h(
        'section',
        { class: 'card chart', 'data-testid': 'chart-throughput' },
        h('h2', {}, 'Throughput by state'),
        h('div', { class: 'chart-box' }, throughputCanvas),
      ),
      h(
        'section',
        { class: 'card chart', 'data-testid': 'chart-runtime' },
        h('h2', {}, 'Runtime distribution'),
        h('div', { class: 'chart-box' }, runtimeCanvas),
      ),
    ),
    destroy: () => {
      clearInterval(timer);
      unsubscribe();
      scheme.removeEventListener('change', retheme);
      throughput.destroy();
      runtime.destroy();
    },
  };
}
