/** Finds a NUL character in any string of a parsed JSON body, for a 422 that names where it is. */
import { KeywardError } from '../core/errors.ts';

function pathOfNul(value: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfNul(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = pathOfNul(key, [...path, key]) ?? pathOfNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The validation error for a body holding a NUL character, or undefined when it holds none. */
export function nulIssue(body: unknown): KeywardError | undefined {
  const path = pathOfNul(body, []);
  if (!path) return undefined;
  const where = ['body', ...path].join('.');
  return new KeywardError('ERR_VALIDATION', `${where}: text must not contain the NUL character (\\u0000)`, {
    issues: [
      { code: 'invalid_string', path, message: 'must not contain the NUL character', location: 'body' },
    ],
  });
}
