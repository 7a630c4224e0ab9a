import { apiProcesses, MAX_AUTO_PROCESSES } from './api-processes';

describe(apiProcesses.name, () => {
  it('gives one process when unset', () => {
    expect(apiProcesses(undefined, 8)).toBe(1);
    expect(apiProcesses(' ', 8)).toBe(1);
  });

  it('gives auto one process per available CPU', () => {
    expect(apiProcesses('auto', 3)).toBe(3);
    expect(apiProcesses('auto', 4)).toBe(4);
    expect(apiProcesses(' AUTO ', 1)).toBe(1);
  });

  it(`caps auto at ${MAX_AUTO_PROCESSES}`, () => {
    expect(apiProcesses('auto', 64)).toBe(MAX_AUTO_PROCESSES);
  });

  it('takes an explicit count as it is, beyond the auto cap too', () => {
    expect(apiProcesses('1', 8)).toBe(1);
    expect(apiProcesses('12', 2)).toBe(12);
  });

  it.each(['0', '-1', '1.5', 'two', '65'])('refuses %p', (value) => {
    expect(() => apiProcesses(value, 2)).toThrow(
      `API_PROCESSES must be auto or a whole number from 1 to 64, not "${value}"`,
    );
  });
});
