import { Ledger } from '../aws/ledger';
import { LEDGER_TABLE_ENV } from '../ledger/schema';
import { logger } from '../powertools';

export interface EnforcementStart {
  /** When enforcement began: now, at the first deploy whose policy enforces anything; the recorded time after. */
  readonly since: string;
  /** Whether this run wrote it (false: an earlier deploy or run had). */
  readonly recorded: boolean;
  /** Set when the time is the ledger's first stop or delete (an upgrade of a guard that already enforced). */
  readonly fromLedger?: boolean;
}

/**
 * Run by the stack at deploy time (a CDK trigger), when the policy enforces anything: records in the
 * ledger when enforcement began, once. What existed before is the existing estate (reported, not acted
 * on, unless the policy's sweep.actOnExisting is true). A failure fails the deploy, which rolls back.
 */
export function makeEnforcementStartHandler(ledger: Ledger, now: () => Date = () => new Date()) {
  return async (): Promise<EnforcementStart> => {
    const at = now();
    const known = await ledger.enforcementBegan();
    if (known !== undefined) {
      const result = { since: known.toISOString(), recorded: false };
      logger.info('Enforcement began earlier: the ledger keeps that time', { ...result });
      return result;
    }
    // An upgrade of a guard that enforced before this record existed: its own stops and deletes prove
    // enforcement began no later than the first of them, so what it already enforced on is not estate.
    const earliest = await ledger.earliestAction(at);
    const fromLedger = earliest !== undefined && earliest.getTime() < at.getTime();
    const start = fromLedger ? earliest : at;
    const since = await ledger.enforcementBeganOrNow(start, 'deploy');
    const result = { since: since.toISOString(), recorded: since.getTime() === start.getTime(), ...(fromLedger ? { fromLedger } : {}) };
    logger.info(result.recorded ? 'Enforcement begins: recorded in the ledger' : 'Enforcement began earlier: the ledger keeps that time', { ...result });
    return result;
  };
}

function ledgerFromEnv(env: NodeJS.ProcessEnv): Ledger {
  const table = env[LEDGER_TABLE_ENV];
  if (table === undefined || table === '') throw new Error(`environment variable ${LEDGER_TABLE_ENV} is not set: the function cannot reach the ledger`);
  return new Ledger(table);
}

/** Entry point of the deploy-time function. */
export const handler = makeEnforcementStartHandler(ledgerFromEnv(process.env));
