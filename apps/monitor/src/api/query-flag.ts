import { badRequest } from '../http/problem';

/** A boolean query parameter as Flower's `get_argument(type=bool)` takes it; absent = false. */
export function queryFlag(name: string, value: unknown): boolean {
  if (value === undefined) {
    return false;
  }
  if (typeof value === 'string' && /^(true|1|yes|on)$/i.test(value)) {
    return true;
  }
  if (typeof value === 'string' && /^(false|0|no|off|)$/i.test(value)) {
    return false;
  }
  throw badRequest(`${name} must be true or false`);
}
