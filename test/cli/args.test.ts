import {
  AUDIT_USAGE,
  HISTORY_USAGE,
  parseCommandLine,
  parseSince,
  queueUrlRegion,
  REDRIVE_USAGE,
  USAGE,
  usageOf,
  UsageError,
  type AuditOptions,
  type HistoryOptions,
  type RedriveOptions,
} from '../../cli/args';
import { AUDIT_DEFAULTS, auditOptions, NOW } from '../support/command-line';

describe('sagemaker-guard command line', () => {
  test.each<[string, string[], Partial<AuditOptions>]>([
    ['defaults', ['audit'], {}],
    ['one region', ['audit', '--region', 'us-east-1'], { regions: ['us-east-1'] }],
    ['repeated regions, in order, without duplicates', ['audit', '--region', 'eu-west-1', '--region', 'us-east-1', '--region=eu-west-1'], { regions: ['eu-west-1', 'us-east-1'] }],
    ['comma-separated regions', ['audit', '--region', 'us-gov-west-1,cn-north-1'], { regions: ['us-gov-west-1', 'cn-north-1'] }],
    ['a profile', ['audit', '--profile', 'audit-ro'], { profile: 'audit-ro' }],
    ['kinds, in catalog order whatever the order given', ['audit', '--kinds', 'notebook-instance,model'], { kinds: ['model', 'notebook-instance'] }],
    ['repeated kinds', ['audit', '--kinds', 'model', '--kinds', 'training-job'], { kinds: ['training-job', 'model'] }],
    ['a --since date', ['audit', '--since', '2026-01-31'], { since: new Date('2026-01-31T00:00:00Z') }],
    ['a --since time', ['audit', '--since', '2026-01-31T12:30:00+02:00'], { since: new Date('2026-01-31T10:30:00Z') }],
    ['a policy file', ['audit', '--policy', 'policy.json'], { policyFile: 'policy.json' }],
    ['a switch parameter', ['audit', '--switch-parameter', '/sagemaker-guard/enforcement'], { switchParameter: '/sagemaker-guard/enforcement' }],
    ['concurrency', ['audit', '--concurrency', '16'], { concurrency: 16 }],
    ['--json', ['audit', '--json'], { format: 'json' }],
    ['--format json', ['audit', '--format', 'json'], { format: 'json' }],
    ['--format csv', ['audit', '--format=csv'], { format: 'csv' }],
    ['--format table', ['audit', '--format', 'table'], { format: 'table' }],
    ['--json with --format json, which it is short for', ['audit', '--json', '--format', 'json'], { format: 'json' }],
    ['a cdk.json as the policy', ['audit', '--policy', '../guard/cdk.json'], { policyFile: '../guard/cdk.json' }],
    ['--remediate', ['audit', '--remediate'], { remediate: true }],
    ['--remediate --yes', ['audit', '--yes', '--remediate'], { remediate: true, yes: true }],
    ['options before the command', ['--json', 'audit'], { format: 'json' }],
  ])('%s', (_name, argv, expected) => {
    expect(auditOptions(argv)).toEqual({ ...AUDIT_DEFAULTS, ...expected });
  });

  test.each<[string[], object]>([
    [['--help'], { command: 'help' }],
    [['scan', '--help'], { command: 'help' }],
    [['audit', '--help'], { command: 'help', topic: 'audit' }],
    [['audit', '-h', '--json'], { command: 'help', topic: 'audit' }],
    [['history', '-h'], { command: 'help', topic: 'history' }],
    [['--help', 'redrive', '--yes'], { command: 'help', topic: 'redrive' }],
  ])('help: %j', (argv, expected) => {
    expect(parseCommandLine(argv, NOW)).toEqual(expected);
  });

  test.each<[string, string[], string]>([
    ['no command', [], 'missing command: expected one of "audit", "history", "redrive"'],
    ['an unknown command', ['scan'], 'unknown command "scan": expected one of "audit", "history", "redrive"'],
    ['an option of another command', ['audit', '--dry-run'], '--dry-run is not an option of audit (its options: --region, --profile, --kinds,'],
    ['an extra argument', ['audit', 'now'], 'unexpected argument "now"'],
    ['an unknown flag', ['audit', '--regions', 'us-east-1'], 'unknown option --regions'],
    ['an unknown short flag', ['audit', '-r', 'us-east-1'], 'unknown option -r'],
    ['a flag without its value', ['audit', '--region'], '--region needs a value'],
    ['a value for a boolean flag', ['audit', '--json=yes'], '--json takes no value'],
    ['an empty region', ['audit', '--region', ','], '--region needs a value'],
    ['a bad region', ['audit', '--region', 'US_EAST_1'], '--region: "US_EAST_1" is not a region name such as us-east-1'],
    ['an availability zone', ['audit', '--region', 'us-east-1a'], '--region: "us-east-1a" is not a region name such as us-east-1'],
    ['a bad kind', ['audit', '--kinds', 'model,studio-domain'], '--kinds: unknown kind "studio-domain"; expected one or more of training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint'],
    ['a plural kind', ['audit', '--kinds', 'models'], '--kinds: unknown kind "models"'],
    ['empty kinds', ['audit', '--kinds', ''], '--kinds needs a value: one or more of training-job, model, notebook-instance, processing-job, transform-job, hyper-parameter-tuning-job, endpoint-config, endpoint'],
    ['a bad date', ['audit', '--since', 'yesterday'], '--since: expected a date as YYYY-MM-DD or an ISO 8601 time such as 2026-01-31T12:00:00Z (given: "yesterday")'],
    ['an impossible date', ['audit', '--since', '2026-02-30'], '--since: expected a date as YYYY-MM-DD'],
    ['a time without zone', ['audit', '--since', '2026-01-31T12:00'], '--since: expected a date'],
    ['a future date', ['audit', '--since', '2027-01-01'], '--since: 2027-01-01 is in the future'],
    ['an empty profile', ['audit', '--profile', ' '], '--profile needs a value'],
    ['an empty policy', ['audit', '--policy', ''], '--policy needs a file name'],
    ['zero concurrency', ['audit', '--concurrency', '0'], '--concurrency: expected a whole number from 1 to 32 (given: "0")'],
    ['too much concurrency', ['audit', '--concurrency', '100'], '--concurrency: expected a whole number from 1 to 32 (given: "100")'],
    ['fractional concurrency', ['audit', '--concurrency', '2.5'], '--concurrency: expected a whole number'],
    ['--yes without --remediate', ['audit', '--yes'], '--yes only makes sense with --remediate'],
    ['a switch parameter with two regions', ['audit', '--switch-parameter', '/p', '--region', 'us-east-1', '--region', 'eu-west-1'], '--switch-parameter works with one --region at a time'],
    ['an unknown format', ['audit', '--format', 'xml'], '--format: expected one of table, json, csv (given: "xml")'],
    ['an empty format', ['audit', '--format', ' '], '--format needs a value: one of table, json, csv'],
    ['--json with another format', ['audit', '--json', '--format', 'csv'], '--json is short for --format json, which contradicts --format csv: give one'],
    // Node's parser would keep the last value, silently.
    ['two profiles', ['audit', '--profile', 'dev', '--profile', 'prod'], '--profile was given twice ("dev" and "prod"): it takes one value, so give it once'],
    ['a profile given twice alike', ['audit', '--profile=dev', '--profile', 'dev'], '--profile was given twice ("dev" and "dev")'],
    ['two policies', ['audit', '--policy', 'a.json', '--policy', 'cdk.json'], '--policy was given twice ("a.json" and "cdk.json")'],
    ['two switch parameters', ['audit', '--switch-parameter', '/a', '--switch-parameter=/b'], '--switch-parameter was given twice ("/a" and "/b")'],
    ['three concurrencies', ['audit', '--concurrency', '2', '--concurrency', '4', '--concurrency', '8'], '--concurrency was given 3 times ("2", "4" and "8")'],
    ['two --since', ['audit', '--since', '2026-01-01', '--since', '2026-02-01'], '--since was given twice ("2026-01-01" and "2026-02-01")'],
    ['two formats', ['audit', '--format', 'csv', '--format', 'json'], '--format was given twice ("csv" and "json")'],
  ])('rejects %s', (_name, argv, message) => {
    expect(() => parseCommandLine(argv, NOW)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, NOW)).toThrow(message);
  });

  test('--since keeps a UTC day boundary', () => {
    expect(parseSince('2026-11-22', NOW).toISOString()).toBe('2026-11-22T00:00:00.000Z');
  });

  test("a mistake after the command names it, so main shows that command's usage", () => {
    const mistake = (argv: string[]) => {
      try {
        parseCommandLine(argv, NOW);
      } catch (error) {
        return error as UsageError;
      }
      throw new Error(`${argv.join(' ')} parsed`);
    };
    expect(mistake(['history', '--kinds', 'model']).topic).toBe('history');
    expect(mistake(['redrive', 'now']).topic).toBe('redrive');
    expect(mistake(['audit', '--concurrency', '0']).topic).toBe('audit');
    expect(mistake(['scan']).topic).toBeUndefined();
    expect(mistake(['--region']).topic).toBeUndefined();
  });
});

describe('sagemaker-guard history command line', () => {
  const HISTORY: HistoryOptions = { since: new Date('2026-11-15T00:00:00Z'), json: false, stack: 'SageMakerGuard' };

  function history(argv: string[]): HistoryOptions {
    const parsed = parseCommandLine(['history', ...argv], NOW);
    if (parsed.command !== 'history') throw new Error(`expected the history command, got ${parsed.command}`);
    return parsed.options;
  }

  test.each<[string, string[], Partial<HistoryOptions>]>([
    ['defaults: 7 days back from the start of today (UTC), the default stack', [], {}],
    ['a --since day', ['--since', '2026-11-01'], { since: new Date('2026-11-01T00:00:00Z') }],
    ['a --since time', ['--since', '2026-11-21T23:30:00-01:00'], { since: new Date('2026-11-22T00:30:00Z') }],
    ['--since 400 days back, the retention', ['--since', '2025-10-18'], { since: new Date('2025-10-18T00:00:00Z') }],
    ['--json', ['--json'], { json: true }],
    ['a table', ['--table', 'guard-ledger'], { table: 'guard-ledger' }],
    ['a table ARN', ['--table', 'arn:aws:dynamodb:us-east-1:123456789012:table/guard-ledger'], { table: 'arn:aws:dynamodb:us-east-1:123456789012:table/guard-ledger' }],
    ['a stack', ['--stack', 'Guard-Prod'], { stack: 'Guard-Prod' }],
    ['a region and a profile', ['--region', 'eu-west-1', '--profile', 'ops'], { region: 'eu-west-1', profile: 'ops' }],
    ['the same region twice', ['--region', 'eu-west-1', '--region', 'eu-west-1'], { region: 'eu-west-1' }],
  ])('%s', (_name, argv, expected) => {
    expect(history(argv)).toEqual({ ...HISTORY, ...expected });
  });

  test.each<[string, string[], string]>([
    ['an audit option', ['--kinds', 'model'], '--kinds is not an option of history (its options: --since, --json, --table, --stack, --region, --profile)'],
    ['a redrive option', ['--yes'], '--yes is not an option of history'],
    ['two regions', ['--region', 'us-east-1,eu-west-1'], '--region: history works in one region at a time (given: us-east-1, eu-west-1)'],
    ['a bad region', ['--region', 'mars'], '--region: "mars" is not a region name such as us-east-1'],
    ['a bad date', ['--since', 'last week'], '--since: expected a date as YYYY-MM-DD or an ISO 8601 time'],
    ['a future date', ['--since', '2026-11-23'], '--since: 2026-11-23 is in the future'],
    ['a date older than the ledger keeps', ['--since', '2025-10-17'], '--since: the ledger keeps records for 400 days, so 2025-10-17 is too far back (the earliest day is 2025-10-18)'],
    ['an empty table', ['--table', ' '], '--table needs a table name'],
    ['a bad table name', ['--table', 'my table'], '--table: "my table" is not a DynamoDB table name'],
    ['a too short table name', ['--table', 'ab'], '--table: "ab" is not a DynamoDB table name'],
    ['a table and a stack', ['--table', 'guard-ledger', '--stack', 'SageMakerGuard'], '--table and --stack both say where the ledger is: give one'],
    ['an empty stack', ['--stack', ''], '--stack needs a stack name'],
    ['a bad stack name', ['--stack', '1stack'], '--stack: "1stack" is not a CloudFormation stack name'],
    ['an empty profile', ['--profile', ''], '--profile needs a value'],
    ['a positional', ['today'], 'unexpected argument "today"'],
    ['two stacks', ['--stack', 'A', '--stack', 'B'], '--stack was given twice ("A" and "B")'],
    ['two tables', ['--table', 'ledger-a', '--table', 'ledger-b'], '--table was given twice ("ledger-a" and "ledger-b")'],
    ['two profiles', ['--profile', 'a', '--profile', 'b'], '--profile was given twice ("a" and "b")'],
  ])('rejects %s', (_name, argv, message) => {
    expect(() => parseCommandLine(['history', ...argv], NOW)).toThrow(UsageError);
    expect(() => parseCommandLine(['history', ...argv], NOW)).toThrow(message);
  });
});

describe('sagemaker-guard redrive command line', () => {
  const REDRIVE: RedriveOptions = { stack: 'SageMakerGuard', dryRun: false, yes: false };
  const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/SageMakerGuard-DeadLetterQueue-AbC123';

  function redrive(argv: string[]): RedriveOptions {
    const parsed = parseCommandLine(['redrive', ...argv], NOW);
    if (parsed.command !== 'redrive') throw new Error(`expected the redrive command, got ${parsed.command}`);
    return parsed.options;
  }

  test.each<[string, string[], Partial<RedriveOptions>]>([
    ['defaults: the stack\'s queue, asking first', [], {}],
    ['--dry-run', ['--dry-run'], { dryRun: true }],
    ['--yes', ['--yes'], { yes: true }],
    ['a queue URL, whose region becomes the region', ['--queue-url', URL], { queueUrl: URL, region: 'eu-west-1' }],
    ['a queue URL and the same region', ['--queue-url', URL, '--region', 'eu-west-1'], { queueUrl: URL, region: 'eu-west-1' }],
    ['an emulator queue URL (no region in it)', ['--queue-url', 'http://127.0.0.1:5000/123456789012/dlq'], { queueUrl: 'http://127.0.0.1:5000/123456789012/dlq' }],
    ['a FIFO queue URL', ['--queue-url', 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo'], { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo', region: 'us-east-1' }],
    ['a stack, a region and a profile', ['--stack', 'Guard', '--region', 'us-west-2', '--profile', 'ops'], { stack: 'Guard', region: 'us-west-2', profile: 'ops' }],
  ])('%s', (_name, argv, expected) => {
    expect(redrive(argv)).toEqual({ ...REDRIVE, ...expected });
  });

  test.each<[string, string[], string]>([
    ['--dry-run with --yes', ['--dry-run', '--yes'], '--dry-run changes nothing, so --yes (replay without asking) contradicts it: give one'],
    ['--json', ['--json'], '--json is not an option of redrive (its options: --queue-url, --stack, --dry-run, --yes, --region, --profile)'],
    ['--table', ['--table', 'ledger'], '--table is not an option of redrive'],
    ['a queue URL without a value', ['--queue-url'], '--queue-url needs a value'],
    ['an empty queue URL', ['--queue-url', ''], '--queue-url needs a queue URL'],
    ['a queue name', ['--queue-url', 'my-dlq'], '--queue-url: expected a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/queue-name (given: "my-dlq")'],
    ['a queue ARN', ['--queue-url', 'arn:aws:sqs:us-east-1:123456789012:dlq'], '--queue-url: expected a queue URL'],
    ['a URL without the account', ['--queue-url', 'https://sqs.us-east-1.amazonaws.com/dlq'], '--queue-url: expected a queue URL'],
    ['a URL with a query', ['--queue-url', `${URL}?x=1`], '--queue-url: expected a queue URL'],
    ['a region the URL contradicts', ['--queue-url', URL, '--region', 'us-east-1'], '--region us-east-1 does not match the queue URL, which is in eu-west-1'],
    ['a queue URL and a stack', ['--queue-url', URL, '--stack', 'Guard'], '--queue-url and --stack both say where the queue is: give one'],
    ['two regions', ['--region', 'us-east-1', '--region', 'us-west-2'], '--region: redrive works in one region at a time (given: us-east-1, us-west-2)'],
    ['two queue URLs', ['--queue-url', URL, '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/other'], `--queue-url was given twice (${JSON.stringify(URL)} and "https://sqs.eu-west-1.amazonaws.com/123456789012/other")`],
  ])('rejects %s', (_name, argv, message) => {
    expect(() => parseCommandLine(['redrive', ...argv], NOW)).toThrow(UsageError);
    expect(() => parseCommandLine(['redrive', ...argv], NOW)).toThrow(message);
  });

  test.each([
    ['https://sqs.us-east-1.amazonaws.com/123456789012/q', 'us-east-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'cn-north-1'],
    ['https://eu-west-1.queue.amazonaws.com/123456789012/q', 'eu-west-1'],
    ['http://localhost:4566/123456789012/q', undefined],
    ['not a url', undefined],
  ])('the region of %s', (url, region) => {
    expect(queueUrlRegion(url)).toBe(region);
  });
});

describe('usage texts', () => {
  test('each command has its own, and the whole text has them all', () => {
    expect(usageOf('audit')).toBe(AUDIT_USAGE);
    expect(usageOf('history')).toBe(HISTORY_USAGE);
    expect(usageOf('redrive')).toBe(REDRIVE_USAGE);
    expect(usageOf()).toBe(USAGE);
    for (const text of [AUDIT_USAGE, HISTORY_USAGE, REDRIVE_USAGE]) expect(USAGE).toContain(text);
    expect(HISTORY_USAGE).toMatch(/^Usage: sagemaker-guard history \[options\]/);
    expect(REDRIVE_USAGE).toMatch(/^Usage: sagemaker-guard redrive \[options\]/);
  });

  test('a repeated option is a mistake of its command, shown with its usage', () => {
    let thrown: unknown;
    try {
      parseCommandLine(['audit', '--profile', 'a', '--profile', 'b'], NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).topic).toBe('audit');
  });

  test.each([
    ['audit', AUDIT_USAGE, ['--region', '--profile', '--kinds', '--since', '--policy', '--switch-parameter', '--concurrency', '--format', '--json', '--remediate', '--yes']],
    ['history', HISTORY_USAGE, ['--since', '--json', '--table', '--stack', '--region', '--profile']],
    ['redrive', REDRIVE_USAGE, ['--queue-url', '--stack', '--dry-run', '--yes', '--region', '--profile']],
  ])('%s documents every option it takes', (_name, text, options) => {
    for (const option of options) expect(text).toContain(`  ${option} `);
  });
});
