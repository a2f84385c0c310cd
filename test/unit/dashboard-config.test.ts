import { ConfigError } from '@ticket-intake/shared';
import { createCredentialCheck, parseBasicAuthorization } from '../../services/dashboard/src/basic-auth';
import { loadDashboardConfig } from '../../services/dashboard/src/config';
import { summariseTicketJob } from '../../services/dashboard/src/job-summary';

function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadDashboardConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadDashboardConfig', () => {
  test('both credentials empty turns it off', () => {
    const config = loadDashboardConfig({});

    expect(config.credentials).toBeNull();
    expect(config.port).toBe(8090);
    expect(config.host).toBe('127.0.0.1');
    expect(config.readOnly).toBe(true);
  });

  test('needs no object store settings', () => {
    const config = loadDashboardConfig({ DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'secret' });

    expect(config.credentials).toEqual({ user: 'ops', password: 'secret' });
  });

  test('only a user names the password', () => {
    const problems = configProblems({ DASHBOARD_USER: 'ops' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DASHBOARD_PASSWORD is missing/);
  });

  test('only a password names the user', () => {
    const problems = configProblems({ DASHBOARD_PASSWORD: 'secret' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DASHBOARD_USER is missing/);
  });

  test('colon in user name is invalid', () => {
    const problems = configProblems({ DASHBOARD_USER: 'ops:team', DASHBOARD_PASSWORD: 'secret' });

    expect(problems).toEqual(['DASHBOARD_USER is invalid: an HTTP Basic user name cannot contain ":"']);
  });

  test('read-only can be turned off', () => {
    const config = loadDashboardConfig({ DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'secret', DASHBOARD_READ_ONLY: 'false' });

    expect(config.readOnly).toBe(false);
  });
});

describe('Basic authorization header', () => {
  const basic = (value: string) => `Basic ${Buffer.from(value, 'utf8').toString('base64')}`;

  test.each([
    ['plain pair', basic('ops:secret'), { user: 'ops', password: 'secret' }],
    ['colon in password', basic('ops:a:b'), { user: 'ops', password: 'a:b' }],
    ['lower-case scheme', `basic ${Buffer.from('ops:secret').toString('base64')}`, { user: 'ops', password: 'secret' }],
    ['non-ASCII password', basic('ops:pässwört'), { user: 'ops', password: 'pässwört' }],
    ['no colon', basic('ops'), undefined],
    ['bearer scheme', 'Bearer abc', undefined],
    ['missing header', undefined, undefined],
  ])('%s', (_name, header, expected) => {
    expect(parseBasicAuthorization(header)).toEqual(expected);
  });

  test('credential check needs both parts', () => {
    const matches = createCredentialCheck({ user: 'ops', password: 'secret' });

    expect(matches({ user: 'ops', password: 'secret' })).toBe(true);
    expect(matches({ user: 'ops', password: 'secret ' })).toBe(false);
    expect(matches({ user: 'op', password: 'secret' })).toBe(false);
    expect(matches({ user: '', password: '' })).toBe(false);
  });
});

describe('summariseTicketJob', () => {
  test('keeps only the operator fields', () => {
    const summary = summariseTicketJob({
      requestId: 'req-1',
      keyLabel: 'helpdesk',
      callerIp: '198.51.100.23',
      index: 2,
      ticket: { email: 'Ada.Example@Example.COM', departmentId: 3, subject: 'Private', comments: 'Private' },
      attachments: [{ objectKey: 'tickets/a/1.pdf' }, { objectKey: 'tickets/a/2.pdf' }],
    });

    expect(summary).toEqual({
      requestId: 'req-1',
      keyLabel: 'helpdesk',
      index: 2,
      departmentId: 3,
      attachmentCount: 2,
      emailDomain: 'example.com',
    });
  });

  test('tolerates data of other shapes', () => {
    expect(summariseTicketJob(null)).toEqual({
      requestId: null,
      keyLabel: null,
      index: null,
      departmentId: null,
      attachmentCount: 0,
      emailDomain: null,
    });
    expect(summariseTicketJob({ ticket: { email: 'no-at-sign' } }).emailDomain).toBeNull();
    expect(summariseTicketJob({ ticket: { email: 'trailing@' } }).emailDomain).toBeNull();
  });
});
