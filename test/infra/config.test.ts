import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { coerce, loadConfig, RETENTION_DAYS_VALUES, type Coercion } from '../../lib/config';
import { InvalidSettingsError } from '../../lambda/core/settings';
import { DEFAULT_POLICY } from '../fixtures/resources';

const getter = (context: Record<string, unknown>) => (key: string) => context[key];

describe('coerce', () => {
  test.each<[unknown, Coercion, unknown]>([
    ['report', 'string', 'report'],
    ['', 'string', ''],
    ['  owner ', 'string', '  owner '],
    ['3600', 'number', 3600],
    [' 3600 ', 'number', 3600],
    ['1e3', 'number', 1000],
    ['1.5', 'number', 1.5],
    ['ten', 'number', 'ten'],
    ['', 'number', undefined],
    [7200, 'number', 7200],
    ['true', 'boolean', true],
    ['FALSE', 'boolean', false],
    ['yes', 'boolean', 'yes'],
    ['', 'boolean', undefined],
    [true, 'boolean', true],
    ['a,b', 'list', ['a', 'b']],
    [' a , ,b ', 'list', ['a', 'b']],
    ['["a","b"]', 'list', ['a', 'b']],
    ['[not json', 'list', '[not json'],
    ['', 'list', undefined],
    ['  ', 'list', undefined],
    [['x'], 'list', ['x']],
    [null, 'string', undefined],
    [null, 'list', undefined],
    [undefined, 'number', undefined],
  ])('%j as %s -> %j', (value, as, expected) => {
    expect(coerce(value, as)).toEqual(expected);
  });
});

const DEFAULT_SETTINGS = DEFAULT_POLICY;
const defaults = { settings: DEFAULT_SETTINGS, notificationEmails: [], logRetention: RetentionDays.ONE_YEAR, sweepSchedule: 'rate(1 day)' };
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: no such file or directory, open '${path}'`);
};

describe('loadConfig: valid context', () => {
  test.each<[string, Record<string, unknown>, unknown]>([
    ['nothing set: schema defaults, 365 days', {}, defaults],
    ['cdk.json style defaults (empty strings = not set)', { policy: { mode: 'enforce' }, notificationEmails: '', logRetentionDays: 365 }, defaults],
    [
      'a policy object, with -c strings for the deploy keys',
      { policy: { mode: 'report', kinds: { model: { mode: 'off' } } }, notificationEmails: 'secops@example.com,ml@example.org', logRetentionDays: '90' },
      {
        settings: { ...DEFAULT_SETTINGS, mode: 'report', kinds: { model: { mode: 'off' } } },
        notificationEmails: ['secops@example.com', 'ml@example.org'],
        logRetention: RetentionDays.THREE_MONTHS,
        sweepSchedule: 'rate(1 day)',
      },
    ],
    ['a sweep schedule', { sweepSchedule: 'cron(0 6 * * ? *)' }, { ...defaults, sweepSchedule: 'cron(0 6 * * ? *)' }],
    ['no sweep', { sweepSchedule: 'off' }, { ...defaults, sweepSchedule: 'off' }],
    ['a policy as a JSON string (as -c passes it)', { policy: '{"mode":"report","maxRuntimeSeconds":3600}' }, { ...defaults, settings: { ...DEFAULT_SETTINGS, mode: 'report', maxRuntimeSeconds: 3600 } }],
    ['JSON values pass through', { notificationEmails: ['a@example.com'], logRetentionDays: 9999 }, { ...defaults, notificationEmails: ['a@example.com'], logRetention: RetentionDays.INFINITE }],
    ['null means not set', { policy: null, notificationEmails: null, logRetentionDays: null }, defaults],
  ])('%s', (_name, context, expected) => {
    expect(loadConfig(getter(context), noFiles)).toEqual(expected);
  });

  test('policyFile names a JSON file, read relative to where cdk runs', () => {
    const files: Record<string, string> = { 'guard-policy.json': '{"mode":"report","owners":{"team-a@example.com":["team-a"]}}' };
    const config = loadConfig(getter({ policyFile: 'guard-policy.json' }), (path) => files[path] ?? noFiles(path));
    expect(config.settings).toMatchObject({ mode: 'report', owners: { 'team-a@example.com': ['team-a'] } });
  });
});

describe('loadConfig: invalid context names the key, the value and what is expected', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['unknown mode', { policy: { mode: 'bogus' } }, ['Invalid sagemaker-guard settings in CDK context (cdk.json or -c), key "policy":', 'mode: ', '(given: "bogus")']],
    ['policy typo', { policy: { modes: 'report' } }, ['Unrecognized key: "modes"']],
    ['policy not JSON', { policy: '{mode:report}' }, ['the context key "policy" is not valid JSON']],
    ['policy not an object', { policy: 42 }, ['(root): ', '(given: 42)']],
    ['policy and policyFile both', { policy: { mode: 'report' }, policyFile: 'p.json' }, ['give the policy as "policy" or as "policyFile", not both']],
    ['policyFile missing', { policyFile: 'nope.json' }, ['policyFile nope.json cannot be read (ENOENT']],
    ['policyFile not a path', { policyFile: 42 }, ['policyFile: expected a file path (given: 42)']],
    ['invalid email', { notificationEmails: 'secops@example.com,not-an-address' }, ['notificationEmails.1: expected an email address', '(given: "not-an-address")']],
    ['duplicate email', { notificationEmails: 'a@example.com,A@example.com' }, ['notificationEmails.1: duplicate of notificationEmails.0']],
    ['emails not a list', { notificationEmails: 42 }, ['notificationEmails: expected a list of email addresses', '(given: 42)']],
    ['retention not in RetentionDays', { logRetentionDays: '42' }, ["logRetentionDays: expected one of CDK's RetentionDays values: 1, 3, 5, 7, 14", '(given: 42)']],
    ['retention not a number', { logRetentionDays: 'a year' }, ['logRetentionDays: expected a number of days', '(given: "a year")']],
    ['a schedule EventBridge would refuse', { sweepSchedule: 'daily' }, ['sweepSchedule: expected an EventBridge schedule such as "rate(1 day)"', '(given: "daily")']],
    [
      'an address both in notificationEmails and owners',
      { notificationEmails: 'team-a@example.com', policy: { owners: { 'Team-A@example.com': ['team-a'] } } },
      ['team-a@example.com is in notificationEmails (which receive every notice) and in policy.owners'],
    ],
  ])('%s', (_name, context, fragments) => {
    let message = '';
    try {
      loadConfig(getter(context), noFiles);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSettingsError);
      message = (error as Error).message;
    }
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  test('every bad key is reported at once, policy and deploy keys together', () => {
    expect(() => loadConfig(getter({ policy: { mode: 'bogus', ownerTagKey: '' }, notificationEmails: 'x', logRetentionDays: 2 }), noFiles)).toThrow(
      /^Invalid sagemaker-guard settings in .*:\n {2}- mode: .*\n {2}- ownerTagKey: .*\n {2}- notificationEmails\.0: .*\n {2}- logRetentionDays: .*$/,
    );
  });
});

describe('tables', () => {
  test('RETENTION_DAYS_VALUES are the numeric RetentionDays values', () => {
    expect(RETENTION_DAYS_VALUES).toContain(365);
    expect(RETENTION_DAYS_VALUES).toContain(9999);
    expect(RETENTION_DAYS_VALUES.every((days) => Number.isInteger(days))).toBe(true);
  });
});
