/**
 * The existing estate, as the deployed guard sees it: when enforcement began, from the guard's ledger in
 * a region (the table given with --table, or the LedgerTableName output of --stack). The audit marks what
 * is older as "existing" and, with --remediate, spares it as the responders do. Best effort: a region
 * with no guard, or a ledger that cannot be read, is said once and audited as if every resource were new.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RETRY } from '../lambda/aws/clients';
import { errorName } from '../lambda/aws/errors';
import { documentClient, Ledger } from '../lambda/aws/ledger';
import { STACK_OUTPUTS, stackOutput } from './stack';

export interface EstateReading {
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
        return { line: `Existing estate in ${region}: not known (${(error as Error).message}); every failing resource is shown as the guard treats a new one.` };
      }
    }
    const since = await new Ledger(table, documentClient(dynamoDb)).enforcementBegan();
    if (since === undefined) {
      return { line: `Existing estate in ${region}: the guard's ledger ${table} records no start of enforcement (the guard has not enforced yet), so nothing is spared.` };
    }
    return { since, line: `Existing estate in ${region}: enforcement began ${since.toISOString()} (ledger ${table}); older resources are marked "existing": reported, not acted on.` };
  } catch (error) {
    return { line: `Existing estate in ${region}: the ledger could not be read (${errorName(error)}: ${(error as Error).message}); every failing resource is shown as the guard treats a new one.` };
  } finally {
    cloudFormation.destroy();
    dynamoDb.destroy();
  }
}
