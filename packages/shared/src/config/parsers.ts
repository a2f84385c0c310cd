/**
 * Parsers for environment values. Each returns the typed value or throws an Error whose
 * message says what the value should look like; the loader adds the variable name.
 */

export type Parser<T> = (raw: string) => T;

export function integer(options: { min?: number; max?: number } = {}): Parser<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;

  return (raw) => {
    if (!/^-?\d+$/.test(raw)) {
      throw new Error(`expected a whole number, got "${raw}"`);
    }
    const value = Number(raw);
    if (value < min || value > max) {
      throw new Error(`expected a number from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
}

export const boolean: Parser<boolean> = (raw) => {
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
};

export const text: Parser<string> = (raw) => raw;

export function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}

export function url(protocols: readonly string[]): Parser<URL> {
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`expected a URL such as ${protocols[0]}//host:port, got "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`expected a ${protocols.join(' or ')} URL, got "${raw}"`);
    }
    return parsed;
  };
}

/** Splits a comma-separated list, trimming items and dropping empty ones. */
export function list(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
