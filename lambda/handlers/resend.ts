import type { Context } from 'aws-lambda';
import { drainOutbox, type OutboxResult } from '../pipeline/deliver';
import { logger, metrics } from '../powertools';
import { runtimeFromEnv } from './make-handler';
import type { Runtime } from '../pipeline/handle';

/** Time kept back so the run ends cleanly before the function's timeout. */
export const RESEND_RESERVE_MS = 10_000;

/**
 * Scheduled every few minutes: sends every notice the ledger still owes (a publish that failed through
 * all of Lambda's retries, an invocation that died after acting). A notice that fails again stays owed
 * for the next run; each failure counts in the NoticeFailures alarm.
 */
export function makeResendHandler(runtime: Runtime) {
  return async (_event: unknown, context?: Pick<Context, 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>): Promise<OutboxResult> => {
    logger.resetKeys();
    const holder = `resend:${context?.awsRequestId ?? Date.now()}`;
    logger.setCorrelationId(holder);
    try {
      if (runtime.ledger === undefined) throw new Error('the resend function needs the ledger (LEDGER_TABLE)');
      const shouldStop = (): boolean => (context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) < RESEND_RESERVE_MS;
      const result = await drainOutbox(runtime.ledger, runtime.topicArn, holder, runtime.now, shouldStop);
      logger.info('Owed notices', { ...result });
      return result;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** Entry point of the scheduled resend function. */
export const handler = makeResendHandler(runtimeFromEnv(process.env));
