import {
  ConfigError,
  commonSettings,
  gatewaySettings,
  readSettings,
  type ApiKeyEntry,
  type SettingValues,
} from '@ticket-intake/shared';

const spec = { ...commonSettings, ...gatewaySettings };

export type GatewayConfig = Omit<SettingValues<typeof spec>, 'apiKey' | 'apiKeys'> & {
  /** Every accepted key: API_KEYS plus API_KEY under the label "default". */
  apiKeys: ApiKeyEntry[];
};

/** Reads and checks the gateway's settings; throws ConfigError naming each bad variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { apiKey, apiKeys, ...rest } = readSettings(spec, env);
  const keys = [...apiKeys];
  if (apiKey !== '') {
    if (keys.some((entry) => entry.label === 'default')) {
      throw new ConfigError(['API_KEY is set, but API_KEYS already has a key labelled "default"']);
    }
    keys.push({ label: 'default', key: apiKey });
  }

  const problems: string[] = [];
  if (keys.length === 0) {
    problems.push('API_KEYS or API_KEY must be set: at least one API key is needed');
  }
  for (const label of rest.apiKeyAllowLists.keys()) {
    if (!keys.some((entry) => entry.label === label)) {
      problems.push(`API_KEY_ALLOWLISTS names "${label}", which is not a label of API_KEYS`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return { ...rest, apiKeys: keys };
}
