import type { Parser } from './parsers';

/** One environment variable: its name, what it sets, its default and how it is parsed. */
export interface Setting<T> {
  name: string;
  description: string;
  /** Raw default; a setting without one is required. */
  default?: string;
  parse: Parser<T>;
}

export type SettingValues<S extends Record<string, Setting<unknown>>> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/** Raised at start-up when one or more settings are missing or invalid. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting of `spec` from `env`, applying defaults. Collects all problems
 * before throwing, so one start-up attempt reports every wrong variable at once.
 */
export function readSettings<S extends Record<string, Setting<unknown>>>(
  spec: S,
  env: NodeJS.ProcessEnv,
): SettingValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];

  for (const [key, setting] of Object.entries(spec)) {
    const raw = env[setting.name] ?? setting.default;
    if (raw === undefined) {
      problems.push(`${setting.name} is missing: ${setting.description}`);
      continue;
    }
    try {
      values[key] = setting.parse(raw);
    } catch (error) {
      problems.push(`${setting.name} is invalid: ${(error as Error).message}`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return values as SettingValues<S>;
}
