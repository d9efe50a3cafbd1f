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
    ['{"managedPolicy":true}', 'object', { managedPolicy: true }],
    [' {"a":1} ', 'object', { a: 1 }],
    ['[1]', 'object', '[1]'],
    ['null', 'object', 'null'],
    ['{not json', 'object', '{not json'],
    ['', 'object', undefined],
    [{ a: 1 }, 'object', { a: 1 }],
    [null, 'string', undefined],
    [null, 'list', undefined],
    [undefined, 'number', undefined],
  ])('%j as %s -> %j', (value, as, expected) => {
    expect(coerce(value, as)).toEqual(expected);
  });
});

const DEFAULT_SETTINGS = DEFAULT_POLICY;
/** An enforcing policy needs someone to tell: these cases say "nobody by email, on purpose". */
const NONE = { notificationEmails: 'none' };
const NO_GUARDRAILS = { managedPolicy: false, serviceControlPolicies: false, targetIds: [] };
const defaults = { settings: DEFAULT_SETTINGS, notificationEmails: 'none', logRetention: RetentionDays.ONE_YEAR, sweepSchedule: 'rate(1 day)', guardrails: NO_GUARDRAILS };
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: no such file or directory, open '${path}'`);
};

describe('loadConfig: valid context', () => {
  test.each<[string, Record<string, unknown>, unknown]>([
    ['nothing set but "no email on purpose": schema defaults, 365 days', NONE, defaults],
    ['cdk.json style defaults (empty strings = not set)', { policy: { mode: 'enforce' }, notificationEmails: 'none', logRetentionDays: 365 }, defaults],
    ['"none" in any case, or as a one-item list', { notificationEmails: ' None ' }, defaults],
    ['"none" as a JSON list', { notificationEmails: '["none"]' }, defaults],
    ['a report-only policy may tell nobody', { policy: { mode: 'report' } }, { ...defaults, settings: { ...DEFAULT_SETTINGS, mode: 'report' }, notificationEmails: [] }],
    ['owners are someone to tell', { policy: { owners: { 'team-a@example.com': ['team-a'] } } }, { ...defaults, settings: { ...DEFAULT_SETTINGS, owners: { 'team-a@example.com': ['team-a'] } }, notificationEmails: [] }],
    [
      'a policy object, with -c strings for the deploy keys',
      { policy: { mode: 'report', kinds: { model: { mode: 'off' } } }, notificationEmails: 'secops@example.com,ml@example.org', logRetentionDays: '90' },
      {
        settings: { ...DEFAULT_SETTINGS, mode: 'report', kinds: { model: { mode: 'off' } } },
        notificationEmails: ['secops@example.com', 'ml@example.org'],
        logRetention: RetentionDays.THREE_MONTHS,
        sweepSchedule: 'rate(1 day)',
        guardrails: NO_GUARDRAILS,
      },
    ],
    ['the in-account guardrails policy: true is the boundary', { ...NONE, guardrails: { managedPolicy: true } }, { ...defaults, guardrails: { ...NO_GUARDRAILS, managedPolicy: 'boundary' } }],
    [
      'the SCP stack, attached, as a -c JSON string',
      { ...NONE, guardrails: ' {"serviceControlPolicies": true, "targetIds": ["r-ab12", "ou-ab12-cdef3456", "111122223333"], "managedPolicy": "iam"} ' },
      { ...defaults, guardrails: { managedPolicy: 'iam', serviceControlPolicies: true, targetIds: ['r-ab12', 'ou-ab12-cdef3456', '111122223333'] } },
    ],
    ['guardrails empty or null: none', { ...NONE, guardrails: '' }, defaults],
    ['guardrails null: none', { ...NONE, guardrails: null }, defaults],
    ['a sweep schedule', { ...NONE, sweepSchedule: 'cron(0 6 * * ? *)' }, { ...defaults, sweepSchedule: 'cron(0 6 * * ? *)' }],
    ['no sweep', { ...NONE, sweepSchedule: 'off' }, { ...defaults, sweepSchedule: 'off' }],
    ...['rate(1 minute)', 'rate(12 hours)', 'rate(7 days)', 'cron(0/15 * ? * MON-FRI *)', 'cron(0 6 L * ? *)', 'cron(0 6 ? * 2#1 2027)'].map(
      (sweepSchedule): [string, Record<string, unknown>, unknown] => [`schedule ${sweepSchedule}`, { ...NONE, sweepSchedule }, { ...defaults, sweepSchedule }],
    ),
    ['a policy as a JSON string (as -c passes it)', { ...NONE, policy: '{"mode":"report","maxRuntimeSeconds":3600}' }, { ...defaults, settings: { ...DEFAULT_SETTINGS, mode: 'report', maxRuntimeSeconds: 3600 } }],
    ['JSON values pass through', { notificationEmails: ['a@example.com'], logRetentionDays: 9999 }, { ...defaults, notificationEmails: ['a@example.com'], logRetention: RetentionDays.INFINITE }],
    ['null means not set', { ...NONE, policy: null, logRetentionDays: null }, defaults],
  ])('%s', (_name, context, expected) => {
    expect(loadConfig(getter(context), noFiles)).toEqual(expected);
  });

  test('policyFile names a JSON file, read relative to where cdk runs', () => {
    const files: Record<string, string> = { 'guard-policy.json': '{"mode":"report","owners":{"team-a@example.com":["team-a"]}}' };
    const config = loadConfig(getter({ policyFile: 'guard-policy.json' }), (path) => files[path] ?? noFiles(path));
    expect(config.settings).toMatchObject({ mode: 'report', owners: { 'team-a@example.com': ['team-a'] } });
  });

  describe('a policy key given with -c overrides the other one in cdk.json', () => {
    const files: Record<string, string> = { 'strict.json': '{"mode":"enforce","maxRuntimeSeconds":3600}' };
    const read = (path: string): string => files[path] ?? noFiles(path);
    const cdkJson = { policy: { mode: 'report' }, notificationEmails: 'none' };

    test('-c policyFile=FILE beats cdk.json\'s "policy"; the source says so', () => {
      // The CLI merges cdk.json and -c into one context: the project's own cdk.json tells them apart.
      const merged = { ...cdkJson, policyFile: 'strict.json' };
      const config = loadConfig(getter(merged), read, getter(cdkJson));
      expect(config.settings).toMatchObject({ mode: 'enforce', maxRuntimeSeconds: 3600 });
    });

    test('the source of a bad policy names the override', () => {
      files['bad.json'] = '{"mode":"sometimes"}';
      expect(() => loadConfig(getter({ ...cdkJson, policyFile: 'bad.json' }), read, getter(cdkJson))).toThrow(
        'in policy file bad.json; given on the command line, it overrides the "policy" in cdk.json',
      );
    });

    test('-c policy=JSON beats cdk.json\'s "policyFile"', () => {
      const project = { policyFile: 'strict.json', notificationEmails: 'none' };
      const config = loadConfig(getter({ ...project, policy: '{"mode":"report"}' }), read, getter(project));
      expect(config.settings.mode).toBe('report');
    });

    test.each<[string, Record<string, unknown>, string]>([
      ['both in cdk.json', { policy: { mode: 'report' }, policyFile: 'strict.json' }, '"policy" and "policyFile" both come from cdk.json'],
      ['both on the command line', {}, '"policy" and "policyFile" both come from the command line'],
    ])('%s: refused, saying where each came from', (_name, project, message) => {
      const context = { policy: { mode: 'report' }, policyFile: 'strict.json', notificationEmails: 'none' };
      expect(() => loadConfig(getter(context), read, getter(project))).toThrow(message);
    });
  });
});

describe('an enforcing deployment with nobody to tell is refused', () => {
  test.each<[string, Record<string, unknown>]>([
    ['nothing set (the policy enforces by default)', {}],
    ['cdk.json as shipped', { policy: { mode: 'enforce' }, notificationEmails: '' }],
    ['a report default with one enforced control', { policy: { mode: 'report', controls: { 'model.network-isolation': 'enforce' } } }],
    ['a report default with one enforced kind', { policy: { mode: 'off', kinds: { model: { mode: 'enforce' } } } }],
  ])('%s', (_name, context) => {
    expect(() => loadConfig(getter(context), noFiles)).toThrow(
      /notificationEmails is empty and the policy has no owners, so nobody would be told .*-c notificationEmails=secops@example\.com.*policy\.owners.*-c notificationEmails=none/,
    );
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
    ['a schedule EventBridge would refuse', { sweepSchedule: 'daily' }, ['sweepSchedule: expected "rate(VALUE UNIT)", "cron(MIN HOUR DAY MONTH WEEKDAY YEAR)" or "off"', '(given: "daily")']],
    ['a plural unit for 1', { sweepSchedule: 'rate(1 hours)' }, ['sweepSchedule: rate(1 hours): EventBridge needs "hour" with 1 ("rate(1 hour)")', '(given: "rate(1 hours)")']],
    ['a singular unit for more than 1', { sweepSchedule: 'rate(6 hour)' }, ['sweepSchedule: rate(6 hour): EventBridge needs "hours" with 6']],
    ['a zero rate', { sweepSchedule: 'rate(0 days)' }, ['sweepSchedule: rate(0 days): the value must be a whole number of 1 or more (given: 0)']],
    ['a negative or fractional rate', { sweepSchedule: 'rate(1.5 days)' }, ['sweepSchedule: rate(1.5 days): the value must be a whole number of 1 or more (given: 1.5)']],
    ['an unknown unit', { sweepSchedule: 'rate(2 weeks)' }, ['sweepSchedule: rate(2 weeks): the unit must be minute(s), hour(s) or day(s) (given: weeks)']],
    ['a cron of letters', { sweepSchedule: 'cron(a b c d e f)' }, ["sweepSchedule: cron(a b c d e f): Element 'a' of minutes field is invalid."]],
    ['a cron with five fields (Unix style)', { sweepSchedule: 'cron(0 6 * * *)' }, ['sweepSchedule: cron(0 6 * * *): expected six fields', '(given: 5)']],
    ['a cron with both day fields set', { sweepSchedule: 'cron(0 6 * * * *)' }, ['sweepSchedule: cron(0 6 * * * *): Cannot specify both daysOfMonth and daysOfWeek']],
    ['a cron hour out of range', { sweepSchedule: 'cron(0 25 * * ? *)' }, ["sweepSchedule: cron(0 25 * * ? *): Number '25' of hours field is bigger than upper limit '23'."]],
    ['a schedule that is not a string', { sweepSchedule: 42 }, ['sweepSchedule: expected an EventBridge schedule', '(given: 42)']],
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
