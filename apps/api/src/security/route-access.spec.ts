import {
  isHealthPath,
  isUnthrottledPath,
  requiresApiKey,
  routeAccess,
  type RouteAccess,
} from './route-access';

describe(routeAccess.name, () => {
  it.each<[string, RouteAccess]>([
    ['/health/live', 'open'],
    ['/metrics', 'open'],
    ['/metrics/x', 'protected'],
    ['/health/ready', 'open'],
    ['/health', 'open'],
    ['/docs', 'open'],
    ['/docs-json', 'open'],
    ['/docs/swagger-ui.css', 'open'],
    ['/', 'seed'],
    ['/solo/add', 'seed'],
    ['/result/:taskId', 'seed'],
    ['/result/group/:groupId', 'seed'],
    ['/v1/tasks', 'protected'],
    ['/V1/Tasks', 'protected'],
    ['/v1', 'protected'],
    ['/healthz', 'protected'],
    ['/docsearch', 'protected'],
    ['/solo-admin', 'protected'],
    ['/results', 'protected'],
    ['/monitor/workers', 'protected'],
  ])('%s is %s', (path, access) => {
    expect(routeAccess(path)).toBe(access);
  });
});

describe(requiresApiKey.name, () => {
  it.each([
    ['/v1/tasks', false, true],
    ['/v1/tasks', true, true],
    ['/solo/add', false, false],
    ['/solo/add', true, true],
    ['/', true, true],
    ['/health/live', true, false],
    ['/docs', true, false],
  ])('%s with protectSeed=%s: %s', (path, protectSeed, expected) => {
    expect(requiresApiKey(path, { protectSeed })).toBe(expected);
  });
});

describe(isHealthPath.name, () => {
  it('is true for /health and below only', () => {
    expect(isHealthPath('/health/live')).toBe(true);
    expect(isHealthPath('/Health/Ready')).toBe(true);
    expect(isHealthPath('/healthcheck')).toBe(false);
    expect(isHealthPath('/v1/health')).toBe(false);
  });
});

describe(isUnthrottledPath.name, () => {
  it('is true for /health and /metrics only', () => {
    expect(isUnthrottledPath('/health/ready')).toBe(true);
    expect(isUnthrottledPath('/metrics')).toBe(true);
    expect(isUnthrottledPath('/Metrics')).toBe(true);
    expect(isUnthrottledPath('/metricsx')).toBe(false);
    expect(isUnthrottledPath('/v1/metrics')).toBe(false);
  });
});
