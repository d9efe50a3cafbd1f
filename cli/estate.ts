/**
 * The existing estate, as the deployed guard sees it: when enforcement began, from the guard's ledger in
 * a region (the table given with --table, or the LedgerTableName output of --stack). The audit marks what
 * is older as "existing" and, with --remediate, spares it as the responders do. A region with no guard
 * (no stack) has no estate; a ledger that cannot be read is `unreadable`, and --remediate acts on nothing
 * there (cli/audit.ts).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RETRY } from '../lambda/aws/clients';
import { errorName } from '../lambda/aws/errors';
import { documentClient, Ledger } from '../lambda/aws/ledger';
import { STACK_OUTPUTS, StackOutputError, stackOutput } from './stack';

export interface EstateReading {
  /**
   * `known`: enforcement began at `since`; `none`: no guard here, or it never enforced, so there is no
   * estate; `unreadable`: a guard's ledger exists (or may) but could not be read, so the estate is unknown
   * and --remediate must not act there (the responders fail closed the same way).
   */
  readonly state: 'known' | 'none' | 'unreadable';
  /** With `none`: no guard's stack was found at all (rather than a ledger that records no start). */
  readonly noStack?: boolean;
  /** When enforcement began in this region; undefined when it is not known. */
  readonly since?: Date;
  /** One line for stderr: what was found, or why it is not known. */
  readonly line: string;
}

export type EstateLookup = (region: string) => Promise<EstateReading>;

/** Where the ledger is: the table itself, or the stack whose output names it. */
export interface LedgerLocation {
  readonly table?: string;
  readonly stack: string;
}

/** Reads when enforcement began, once per region (an interactive --remediate makes two passes). */
export function estateLookup(location: LedgerLocation): EstateLookup {
  const cache = new Map<string, Promise<EstateReading>>();
  return (region) => {
    let reading = cache.get(region);
    if (reading === undefined) {
      reading = readEstate(region, location);
      cache.set(region, reading);
    }
    return reading;
  };
}

async function readEstate(region: string, location: LedgerLocation): Promise<EstateReading> {
  const cloudFormation = new CloudFormationClient({ ...RETRY, region });
  const dynamoDb = new DynamoDBClient({ ...RETRY, region });
  try {
    let table = location.table;
    if (table === undefined) {
      try {
        table = await stackOutput(cloudFormation, location.stack, STACK_OUTPUTS.ledgerTable, '--table');
      } catch (error) {
        if (error instanceof StackOutputError && error.reason === 'no-stack') {
          return { state: 'none', noStack: true, line: `Existing estate in ${region}: none known (${error.message}); every failing resource is shown as the guard treats a new one.` };
        }
        return { state: 'unreadable', line: `Existing estate in ${region}: cannot be read (${(error as Error).message}).` };
      }
    }
    const since = await new Ledger(table, documentClient(dynamoDb)).enforcementBegan();
    if (since === undefined) {
      return { state: 'none', line: `Existing estate in ${region}: the guard's ledger ${table} records no start of enforcement (the guard has not enforced yet), so nothing is spared.` };
    }
    return { state: 'known', since, line: `Existing estate in ${region}: enforcement began ${since.toISOString()} (ledger ${table}); older resources are marked "existing": reported, not acted on.` };
  } catch (error) {
    return { state: 'unreadable', line: `Existing estate in ${region}: the ledger could not be read (${errorName(error)}: ${(error as Error).message}).` };
  } finally {
    cloudFormation.destroy();
    dynamoDb.destroy();
  }
}
