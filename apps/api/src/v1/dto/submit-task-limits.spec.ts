import { validateBatchItem } from '../batch-items';
import { sendTaskOptionsOf, type SubmitTaskDto } from './submit-task.dto';

// The same checks as POST /v1/tasks (batch items run the DTO's rules).
describe('POST /v1/tasks rate_limit and concurrency', () => {
  it('passes them to the producer', () => {
    const item = validateBatchItem(
      {
        task: 'multi_task',
        rate_limit: '100/m',
        concurrency: { key: 'tenant-a', limit: 2 },
      },
      0,
    );
    expect('task' in item).toBe(true);
    const options = sendTaskOptionsOf((item as { task: SubmitTaskDto }).task);
    expect(options).toMatchObject({
      rateLimit: '100/m',
      concurrency: { key: 'tenant-a', limit: 2 },
    });
  });

  it.each([
    [{ rate_limit: '10/d' }, 'rate_limit'],
    [{ rate_limit: 'fast' }, 'rate_limit'],
    [{ concurrency: { key: '', limit: 1 } }, 'concurrency'],
    [{ concurrency: { key: 'a', limit: 0 } }, 'concurrency'],
    [{ concurrency: { key: 'a', limit: 1.5 } }, 'concurrency'],
    [{ concurrency: { key: 'a' } }, 'concurrency'],
    [{ concurrency: { key: 'a', limit: 1, extra: true } }, 'concurrency'],
    [{ concurrency: 'tenant-a' }, 'concurrency'],
  ])('refuses %p naming %p', (fields, field) => {
    const item = validateBatchItem({ task: 'multi_task', ...fields }, 0);
    expect(JSON.stringify(item)).toContain(field);
    expect('task' in item).toBe(false);
  });
});
