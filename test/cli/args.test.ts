import { DEFAULT_CONCURRENCY, parseCommandLine, parseSince, UsageError, type AuditOptions } from '../../cli/args';

const NOW = new Date('2026-11-22T12:00:00Z');
const ALL_KINDS = ['training-job', 'model', 'notebook-instance'];
const DEFAULTS: AuditOptions = { regions: [], kinds: ALL_KINDS as AuditOptions['kinds'], concurrency: DEFAULT_CONCURRENCY, json: false, remediate: false, yes: false };

function options(argv: string[]): AuditOptions {
  const parsed = parseCommandLine(argv, NOW);
  if (parsed.command !== 'audit') throw new Error(`expected the audit command, got ${parsed.command}`);
  return parsed.options;
}

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
    ['--json', ['audit', '--json'], { json: true }],
    ['--remediate', ['audit', '--remediate'], { remediate: true }],
    ['--remediate --yes', ['audit', '--yes', '--remediate'], { remediate: true, yes: true }],
    ['options before the command', ['--json', 'audit'], { json: true }],
  ])('%s', (_name, argv, expected) => {
    expect(options(argv)).toEqual({ ...DEFAULTS, ...expected });
  });

  test.each([[['--help']], [['audit', '--help']], [['audit', '-h', '--json']]])('help: %j', (argv) => {
    expect(parseCommandLine(argv, NOW)).toEqual({ command: 'help' });
  });

  test.each<[string, string[], string]>([
    ['no command', [], 'missing command: expected "audit"'],
    ['an unknown command', ['scan'], 'unknown command "scan": expected "audit"'],
    ['an extra argument', ['audit', 'now'], 'unexpected argument "now"'],
    ['an unknown flag', ['audit', '--regions', 'us-east-1'], 'unknown option --regions'],
    ['an unknown short flag', ['audit', '-r', 'us-east-1'], 'unknown option -r'],
    ['a flag without its value', ['audit', '--region'], '--region needs a value'],
    ['a value for a boolean flag', ['audit', '--json=yes'], '--json takes no value'],
    ['an empty region', ['audit', '--region', ','], '--region needs a value'],
    ['a bad region', ['audit', '--region', 'US_EAST_1'], '--region: "US_EAST_1" is not a region name such as us-east-1'],
    ['an availability zone', ['audit', '--region', 'us-east-1a'], '--region: "us-east-1a" is not a region name such as us-east-1'],
    ['a bad kind', ['audit', '--kinds', 'model,endpoint'], '--kinds: unknown kind "endpoint"; expected one or more of training-job, model, notebook-instance'],
    ['a plural kind', ['audit', '--kinds', 'models'], '--kinds: unknown kind "models"'],
    ['empty kinds', ['audit', '--kinds', ''], '--kinds needs a value: one or more of training-job, model, notebook-instance'],
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
  ])('rejects %s', (_name, argv, message) => {
    expect(() => parseCommandLine(argv, NOW)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, NOW)).toThrow(message);
  });

  test('--since keeps a UTC day boundary', () => {
    expect(parseSince('2026-11-22', NOW).toISOString()).toBe('2026-11-22T00:00:00.000Z');
  });
});
