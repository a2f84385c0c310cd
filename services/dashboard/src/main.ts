import { ConfigError, createLogger } from '@ticket-intake/shared';
import { loadDashboardConfig, type DashboardConfig } from './config';
import { startDashboard } from './dashboard';

async function main(): Promise<void> {
  let config: DashboardConfig;
  try {
    config = loadDashboardConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }

  const logger = createLogger({ name: 'dashboard', level: config.logLevel, format: config.logFormat });

  // Turned off is a valid setting, not a failure: returning with nothing open ends the
  // process with exit code 0, which keeps a supervisor with an on-failure restart
  // policy from starting it again.
  if (config.credentials === null) {
    logger.info('dashboard is off because DASHBOARD_USER and DASHBOARD_PASSWORD are not set; exiting');
    return;
  }

  const dashboard = await startDashboard(config, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping dashboard');
    dashboard.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'dashboard did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}

main().catch((error: unknown) => {
  console.error('dashboard failed to start:', error);
  process.exit(1);
});
