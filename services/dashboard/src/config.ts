import {
  ConfigError,
  commonSettings,
  dashboardSettings,
  readSettings,
  type SettingValues,
} from '@ticket-intake/shared';

/**
 * Only the queue and logging settings of commonSettings. The dashboard never connects
 * to the object store, so it must not require S3_ACCESS_KEY and S3_SECRET_KEY.
 */
const spec = {
  redisUrl: commonSettings.redisUrl,
  queueName: commonSettings.queueName,
  queuePrefix: commonSettings.queuePrefix,
  logLevel: commonSettings.logLevel,
  logFormat: commonSettings.logFormat,
  user: dashboardSettings.dashboardUser,
  password: dashboardSettings.dashboardPassword,
  readOnly: dashboardSettings.dashboardReadOnly,
  port: dashboardSettings.dashboardPort,
  host: dashboardSettings.dashboardHost,
};

/** User name and password of HTTP Basic authentication. */
export interface BasicCredentials {
  user: string;
  password: string;
}

type BaseConfig = Omit<SettingValues<typeof spec>, 'user' | 'password'>;

/** Dashboard settings; `credentials` is null when the dashboard is turned off. */
export type DashboardConfig =
  | (BaseConfig & { credentials: BasicCredentials })
  | (BaseConfig & { credentials: null });

export type EnabledDashboardConfig = Extract<DashboardConfig, { credentials: BasicCredentials }>;

/**
 * Reads and checks the dashboard's settings; throws ConfigError naming each bad variable.
 * Both DASHBOARD_USER and DASHBOARD_PASSWORD empty turns the dashboard off, so the result
 * has `credentials: null`. Only one of them set is an error that names the missing one.
 */
export function loadDashboardConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const { user, password, ...rest } = readSettings(spec, env);
  if (user === '' && password === '') return { ...rest, credentials: null };

  const problems: string[] = [];
  if (user === '') {
    problems.push('DASHBOARD_USER is missing: DASHBOARD_PASSWORD is set, so the dashboard needs a user name too; set both, or neither to turn the dashboard off');
  }
  if (password === '') {
    problems.push('DASHBOARD_PASSWORD is missing: DASHBOARD_USER is set, so the dashboard needs a password too; set both, or neither to turn the dashboard off');
  }
  // RFC 7617 joins the two as "user:password", so the first colon ends the user name.
  if (user.includes(':')) {
    problems.push('DASHBOARD_USER is invalid: an HTTP Basic user name cannot contain ":"');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return { ...rest, credentials: { user, password } };
}
