/** Hash routes: `#/`, `#/tasks?state=…`, `#/task/<id>`, `#/workers`, `#/queues`. */
export type Route =
  | { view: 'overview' }
  | { view: 'tasks'; params: URLSearchParams }
  | { view: 'task'; id: string }
  | { view: 'workers' }
  | { view: 'queues' }
  | { view: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart, query = ''] = raw.split('?', 2);
  const segments = (pathPart ?? '').split('/').filter((s) => s.length > 0);
  if (segments.length === 0) {
    return { view: 'overview' };
  }
  const [head, ...rest] = segments;
  if (head === 'tasks' && rest.length === 0) {
    return { view: 'tasks', params: new URLSearchParams(query) };
  }
  if (head === 'task' && rest.length === 1) {
    return { view: 'task', id: decodeURIComponent(rest[0]) };
  }
  if (head === 'workers' && rest.length === 0) {
    return { view: 'workers' };
  }
  if (head === 'queues' && rest.length === 0) {
    return { view: 'queues' };
  }
  return { view: 'not-found', path: `/${segments.join('/')}` };
}

/** The hash of a task's detail page. */
export function taskHref(id: string): string {
  return `#/task/${encodeURIComponent(id)}`;
}

/** The hash of the tasks list with filters (empty values left out). */
export function tasksHref(filters: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value) {
      params.set(key, value);
    }
  }
  const query = params.toString();
  return query ? `#/tasks?${query}` : '#/tasks';
}
