import { commonSettings, readSettings, workerSettings, type SettingValues } from '@ticket-intake/shared';

const spec = { ...commonSettings, ...workerSettings };

export type WorkerConfig = SettingValues<typeof spec>;

/** Reads and checks the worker's settings; throws ConfigError naming each bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return readSettings(spec, env);
}
