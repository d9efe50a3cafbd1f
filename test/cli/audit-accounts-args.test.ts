import { parseCommandLine, UsageError, type AuditOptions } from '../../cli/args';
import { auditEnvironment } from '../../cli/main';
import { AUDIT_DEFAULTS, auditOptions, NOW } from '../support/command-line';

const A = '111122223333';
const B = '444455556666';

describe('audit across accounts: the command line', () => {
  test.each<[string, string[], Partial<AuditOptions>]>([
    ['listed accounts, in order, without duplicates', ['audit', '--role-name', 'SageMakerGuard-member', '--accounts', `${B},${A}`, '--accounts', B], { members: { roleName: 'SageMakerGuard-member', accounts: [B, A] } }],
    ['the organization', ['audit', '--role-name', 'Auditor', '--organization'], { members: { roleName: 'Auditor', accounts: 'organization' } }],
    ['the hub region', ['audit', '--role-name', 'R', '--organization', '--hub-region', 'eu-west-1'], { members: { roleName: 'R', accounts: 'organization', hubRegion: 'eu-west-1' } }],
    // The hub has one switch and one ledger for every account and region.
    [
      'the switch and the table with several regions',
      ['audit', '--role-name', 'R', '--accounts', A, '--region', 'us-east-1,eu-west-1', '--switch-parameter', '/sagemaker-guard/enforcement', '--table', 'guard-ledger'],
      { regions: ['us-east-1', 'eu-west-1'], switchParameter: '/sagemaker-guard/enforcement', table: 'guard-ledger', members: { roleName: 'R', accounts: [A] } },
    ],
  ])('%s', (_name, argv, expected) => {
    expect(auditOptions(argv)).toEqual({ ...AUDIT_DEFAULTS, ...expected });
  });

  test.each<[string, string[], RegExp]>([
    ['--accounts without a role', ['audit', '--accounts', A], /--accounts needs --role-name/],
    ['--organization without a role', ['audit', '--organization'], /--organization needs --role-name/],
    ['--hub-region without a role', ['audit', '--hub-region', 'us-east-1'], /--hub-region needs --role-name/],
    ['a role without accounts', ['audit', '--role-name', 'R'], /--role-name needs the accounts to enter: --accounts ID,\.\.\. or --organization/],
    ['both ways of naming accounts', ['audit', '--role-name', 'R', '--accounts', A, '--organization'], /--accounts and --organization both say which accounts/],
    ['an account that is not 12 digits', ['audit', '--role-name', 'R', '--accounts', `${A},12345`], /--accounts: "12345" is not an account id \(12 digits/],
    ['an account id with a letter', ['audit', '--role-name', 'R', '--accounts', '11112222333a'], /"11112222333a" is not an account id/],
    ['an empty account list', ['audit', '--role-name', 'R', '--accounts', ','], /--accounts needs a value/],
    ['a role ARN instead of a name', ['audit', '--role-name', 'arn:aws:iam::111122223333:role/R', '--organization'], /--role-name: "arn:aws:iam::111122223333:role\/R" is not an IAM role name/],
    ['a role name with a path', ['audit', '--role-name', 'guard/R', '--organization'], /is not an IAM role name \(1 to 64 letters, digits and \+=,\.@_-, without a path\)/],
    ['an empty role name', ['audit', '--role-name', ' ', '--organization'], /--role-name needs a role name/],
    ['a hub region that is not one', ['audit', '--role-name', 'R', '--organization', '--hub-region', 'east'], /--hub-region: "east" is not a region name/],
    ['a repeated role', ['audit', '--role-name', 'R', '--role-name', 'S', '--organization'], /--role-name was given twice \("R" and "S"\)/],
    ['the switch in several regions of one account', ['audit', '--region', 'us-east-1,eu-west-1', '--switch-parameter', '/s'], /--switch-parameter works with one --region/],
    ['accounts on another command', ['history', '--accounts', A], /--accounts is not an option of history/],
  ])('%s is refused', (_name, argv, message) => {
    expect(() => parseCommandLine(argv, NOW)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, NOW)).toThrow(message);
  });

  test('the default clients are in the hub region, where the switch and the ledger are', () => {
    expect(auditEnvironment(auditOptions(['audit', '--role-name', 'R', '--organization', '--region', 'eu-west-1', '--hub-region', 'us-east-1'])).AWS_REGION).toBe('us-east-1');
    expect(auditEnvironment(auditOptions(['audit', '--role-name', 'R', '--organization', '--region', 'eu-west-1'])).AWS_REGION).toBe('eu-west-1');
  });
});
