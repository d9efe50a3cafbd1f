/**
 * `sagemaker-guard history`: what the guard did, from its ledger's by-day index, one UTC day after another
 * from --since to today, streamed as table chunks or NDJSON lines. Loaded by main.ts after it has set the
 * SDK's environment (the ledger adapter's module reads AWS_RETRY_MODE when loaded).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { classifyError, errorName } from '../../lambda/aws/errors';
import { documentClient, Ledger } from '../../lambda/aws/ledger';
import type { RemediationRecord } from '../../lambda/ledger/records';
import { LEDGER } from '../../lambda/ledger/schema';
import type { HistoryOptions } from '../args';
import { deniedAction } from '../denied';
import { clientRegion, NO_REGION, tableWidth, type CommandIO } from '../io';
import { STACK_OUTPUTS, stackOutput, StackOutputError } from '../stack';
import { ChunkedTable } from '../table';
import { daysBetween, historyJson, historyLayout, historyRow, historySummaryLine, HistoryTally } from './format';

export interface HistoryDeps {
  readonly dynamoDb: DynamoDBClient;
  /** Finds the table from the stack's LedgerTableName output when --table is not given. */
  readonly cloudFormation: CloudFormationClient;
}

const EXIT = { ok: 0, error: 2 } as const;

export async function history(options: HistoryOptions, io: CommandIO, deps: HistoryDeps): Promise<number> {
  const region = await clientRegion(deps.dynamoDb);
  if (region === undefined) {
    io.stderr.write(`${NO_REGION}\n`);
    return EXIT.error;
  }
  let table: string;
  try {
    table = options.table ?? (await stackOutput(deps.cloudFormation, options.stack, STACK_OUTPUTS.ledgerTable, '--table NAME'));
  } catch (error) {
    if (!(error instanceof StackOutputError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT.error;
  }

  const now = (io.now ?? (() => new Date()))();
  const days = daysBetween(options.since, now);
  const ledger = new Ledger(table, documentClient(deps.dynamoDb));
  const tally = new HistoryTally();
  const output = options.json ? undefined : new ChunkedTable(historyLayout(tableWidth(io.stdout, 200)), (text) => io.stdout.write(text));
  let failure: string | undefined;

  days: for (const day of days) {
    try {
      for await (const page of ledger.recordsOfDay(day)) {
        for (const record of page) {
          if (!isShown(record, options.since)) continue;
          tally.add(record);
          if (output !== undefined) output.add(historyRow(record));
          else io.stdout.write(`${historyJson(record)}\n`);
        }
      }
    } catch (error) {
      failure = queryFailure(error, table, region, day);
      break days;
    }
  }
  output?.flush();

  const summary = tally.summary({ table, since: options.since, days });
  if (options.json) io.stdout.write(`${JSON.stringify({ ...summary, complete: failure === undefined })}\n`);
  else io.stdout.write(`${output?.written === true ? '\n' : ''}${historySummaryLine(summary)}${failure !== undefined ? ' (incomplete: see the error)' : ''}\n`);
  const doubtful = summary.results['in doubt'] ?? 0;
  if (doubtful > 0) {
    io.stderr.write(
      `${doubtful} record${doubtful === 1 ? ' is' : 's are'} in doubt: the stop or delete was called (or about to be) and its result was never recorded; ` +
        `the guard resumes such a record the next time it handles the resource.\n`,
    );
  }
  if (failure !== undefined) {
    io.stderr.write(`${failure}\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

/** Remediation records at or after --since (the first day is read whole; --since may be a time within it). */
function isShown(record: RemediationRecord, since: Date): boolean {
  if ((record as { type?: unknown }).type !== 'remediation') return false;
  const at = Date.parse(record.at);
  return Number.isNaN(at) || at >= since.getTime();
}

/** What to tell when a Query failed: the permission, the table or the index that is missing. */
export function queryFailure(error: unknown, table: string, region: string, day: string): string {
  const name = errorName(error);
  const message = (error as Error).message;
  const where = `table ${table} (index ${LEDGER.historyIndex.name}) in ${region}`;
  if (classifyError(error).type === 'access-denied') {
    return `${deniedAction(message) ?? 'dynamodb:Query'} was denied (${name}) on ${where}: ${message}. history needs dynamodb:Query on the table and its ${LEDGER.historyIndex.name} index.`;
  }
  if (name === 'ResourceNotFoundException') {
    return `table ${table} was not found in ${region}: pass --region (and --profile) for where the guard is deployed, or --table / --stack (${name}: ${message})`;
  }
  if (name === 'ValidationException' && /index/i.test(message)) {
    return `table ${table} in ${region} has no ${LEDGER.historyIndex.name} index: it is not the guard's ledger, or was deployed by an older version (${name}: ${message})`;
  }
  return `could not read the records of ${day} from ${where} (dynamodb:Query): ${name}: ${message}`;
}
