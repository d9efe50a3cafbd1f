/**
 * Review: `audit --table NAME` with several regions. Each region's guard has its own ledger, and
 * CloudFormation names it per deployment (SageMakerGuard-LedgerXXXX-RANDOM), so one table name is right
 * in at most one region. cli/estate.ts looks the same name up in every region; in the others GetItem fails
 * (ResourceNotFoundException), the estate is "not known" and --remediate stops/deletes that region's
 * existing estate. --switch-parameter is refused with several regions for the same reason; --table is not.
 */
import { parseCommandLine, UsageError } from '../../cli/args';

describe('review: --table names one region\'s ledger', () => {
  test('--table with two regions is refused (use --stack, whose output is read per region)', () => {
    expect(() => parseCommandLine(['audit', '--table', 'SageMakerGuard-Ledger-ABC', '--region', 'us-east-1,eu-west-1', '--remediate', '--yes'])).toThrow(UsageError);
  });

  test('one region is fine', () => {
    expect(() => parseCommandLine(['audit', '--table', 'SageMakerGuard-Ledger-ABC', '--region', 'us-east-1'])).not.toThrow();
  });
});
