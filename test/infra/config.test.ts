import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { coerce, CONTEXT_SOURCE, loadConfig, RETENTION_DAYS_VALUES, SETTINGS_KEYS, type Coercion } from '../../lib/config';
import { InvalidSettingsError, settingsSchema } from '../../lambda/core/settings';

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

describe('loadConfig: valid context', () => {
  const defaults = {
    settings: { mode: 'enforce', interContainerEncryption: 'distributed', allowNotebookOpenEgress: false, ownerTagKey: 'owner', disabledControls: [] },
    notificationEmails: [],
    logRetention: RetentionDays.ONE_YEAR,
  };

  test.each<[string, Record<string, unknown>, unknown]>([
    ['nothing set: schema defaults, 365 days', {}, defaults],
    [
      'cdk.json style defaults (empty strings = not set)',
      {
        mode: 'enforce',
        maxRuntimeSeconds: '',
        allowedTrainingInstanceTypes: '',
        allowNotebookOpenEgress: false,
        disabledControls: '',
        notificationEmails: '',
        logRetentionDays: 365,
      },
      defaults,
    ],
    [
      '-c strings are coerced',
      {
        mode: 'report',
        interContainerEncryption: 'always',
        maxRuntimeSeconds: '86400',
        allowedTrainingInstanceTypes: 'ml.m5.xlarge, ml.p4d.24xlarge',
        allowNotebookOpenEgress: 'true',
        ownerTagKey: 'team',
        notificationEmails: 'secops@example.com,ml@example.org',
        logRetentionDays: '90',
      },
      {
        settings: {
          mode: 'report',
          interContainerEncryption: 'always',
          maxRuntimeSeconds: 86400,
          allowedTrainingInstanceTypes: ['ml.m5.xlarge', 'ml.p4d.24xlarge'],
          allowNotebookOpenEgress: true,
          ownerTagKey: 'team',
          disabledControls: [],
        },
        notificationEmails: ['secops@example.com', 'ml@example.org'],
        logRetention: RetentionDays.THREE_MONTHS,
      },
    ],
    [
      'cdk.json JSON values pass through',
      { maxRuntimeSeconds: 3600, allowedTrainingInstanceTypes: ['ml.c5.xlarge'], notificationEmails: ['a@example.com'], logRetentionDays: 9999 },
      {
        ...defaults,
        settings: { ...defaults.settings, maxRuntimeSeconds: 3600, allowedTrainingInstanceTypes: ['ml.c5.xlarge'] },
        notificationEmails: ['a@example.com'],
        logRetention: RetentionDays.INFINITE,
      },
    ],
    ['null means not set', { mode: null, notificationEmails: null, logRetentionDays: null }, defaults],
  ])('%s', (_name, context, expected) => {
    expect(loadConfig(getter(context))).toEqual(expected);
  });

  test('disabledControls accepts control ids from the catalog', () => {
    const shape = settingsSchema.shape.disabledControls.unwrap();
    const id = shape.element.options[0];
    expect(loadConfig(getter({ disabledControls: id })).settings.disabledControls).toEqual([id]);
  });
});

describe('loadConfig: invalid context names the key, the value and what is expected', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['unknown mode', { mode: 'bogus' }, ['mode: ', '(given: "bogus")']],
    ['empty mode', { mode: '' }, ['mode: ', '(given: "")']],
    ['non-numeric maxRuntimeSeconds', { maxRuntimeSeconds: 'forever' }, ['maxRuntimeSeconds: ', '(given: "forever")']],
    ['negative maxRuntimeSeconds', { maxRuntimeSeconds: '-5' }, ['maxRuntimeSeconds: ', '(given: -5)']],
    ['bad boolean', { allowNotebookOpenEgress: 'yes' }, ['allowNotebookOpenEgress: ', '(given: "yes")']],
    ['bad instance type', { allowedTrainingInstanceTypes: 'm5.xlarge' }, ['allowedTrainingInstanceTypes.0: expected a SageMaker instance type']],
    ['unknown control id', { disabledControls: 'no-such-control' }, ['disabledControls.0: ', '(given: "no-such-control")']],
    ['empty ownerTagKey', { ownerTagKey: '' }, ['ownerTagKey: ']],
    ['invalid email', { notificationEmails: 'secops@example.com,not-an-address' }, ['notificationEmails.1: expected an email address', '(given: "not-an-address")']],
    ['duplicate email', { notificationEmails: 'a@example.com,A@example.com' }, ['notificationEmails.1: duplicate of notificationEmails.0']],
    ['emails not a list', { notificationEmails: 42 }, ['notificationEmails: expected a list of email addresses', '(given: 42)']],
    ['retention not in RetentionDays', { logRetentionDays: '42' }, ["logRetentionDays: expected one of CDK's RetentionDays values: 1, 3, 5, 7, 14", '(given: 42)']],
    ['retention not a number', { logRetentionDays: 'a year' }, ['logRetentionDays: expected a number of days', '(given: "a year")']],
  ])('%s', (_name, context, fragments) => {
    const load = () => loadConfig(getter(context));
    expect(load).toThrow(InvalidSettingsError);
    const message = (() => {
      try {
        load();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(`Invalid sagemaker-guard settings in ${CONTEXT_SOURCE}:`);
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  test('every bad key is reported at once, settings and deploy keys together', () => {
    expect(() => loadConfig(getter({ mode: 'bogus', ownerTagKey: '', notificationEmails: 'x', logRetentionDays: 2 }))).toThrow(
      /^Invalid sagemaker-guard settings in CDK context \(cdk\.json or -c\):\n {2}- mode: .*\n {2}- ownerTagKey: .*\n {2}- notificationEmails\.0: .*\n {2}- logRetentionDays: .*$/,
    );
  });
});

describe('tables', () => {
  test('SETTINGS_KEYS covers exactly the keys of settingsSchema', () => {
    expect(Object.keys(SETTINGS_KEYS).sort()).toEqual(Object.keys(settingsSchema.shape).sort());
  });

  test('RETENTION_DAYS_VALUES are the numeric RetentionDays values', () => {
    expect(RETENTION_DAYS_VALUES).toContain(365);
    expect(RETENTION_DAYS_VALUES).toContain(9999);
    expect(RETENTION_DAYS_VALUES.every((days) => Number.isInteger(days))).toBe(true);
  });
});
