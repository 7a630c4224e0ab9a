import { YEAR_SECONDS } from './dto/submit-task.dto';
import { NAME_PATTERN } from './dto/task-call.dto';

// A numeric field of SubmitTaskDto: its bounds and whether it is @IsInt.
interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
}

const MAX_NAME_LENGTH = 255;
const MAX_ARGS = 10_000;

const NUMBER_RULES: Readonly<Record<string, NumberRule>> = {
  countdown: { min: 0, max: YEAR_SECONDS, integer: false },
  expires: { min: 0, max: YEAR_SECONDS, integer: false },
  priority: { min: 0, max: 255, integer: true },
  max_retries: { min: 0, max: 1000, integer: true },
  time_limit: { min: 0.001, max: YEAR_SECONDS, integer: false },
  soft_time_limit: { min: 0.001, max: YEAR_SECONDS, integer: false },
};

/**
 * Whether a parsed batch item is certainly a valid `POST /v1/tasks` body:
 * the common shapes (task, args, kwargs, queue and the numeric options),
 * checked with SubmitTaskDto's rules in a few microseconds instead of
 * class-validator's tens, which bounded a 1000-task batch. `false` means
 * "not sure", never "invalid": such an item goes through class-validator,
 * which alone words the errors. So this may only accept what
 * class-validator accepts (batch-item-fast-path.spec.ts compares the two);
 * anything unusual (`eta`, a null option, an unknown key) is left to it.
 */
export function isPlainlyValidTask(item: object): boolean {
  const fields = item as Record<string, unknown>;
  return (
    isName(fields.task) &&
    Object.keys(fields).every((key) => isPlainlyValidField(key, fields[key]))
  );
}

function isPlainlyValidField(key: string, value: unknown): boolean {
  switch (key) {
    case 'task':
    case 'queue':
      return isName(value);
    case 'args':
      return Array.isArray(value) && value.length <= MAX_ARGS;
    case 'kwargs':
      return (
        typeof value === 'object' && value !== null && !Array.isArray(value)
      );
    default:
      return (
        Object.hasOwn(NUMBER_RULES, key) && withinRule(value, NUMBER_RULES[key])
      );
  }
}

function isName(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length <= MAX_NAME_LENGTH &&
    NAME_PATTERN.test(value)
  );
}

function withinRule(value: unknown, rule: NumberRule): boolean {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    value >= rule.min &&
    value <= rule.max
  );
}
