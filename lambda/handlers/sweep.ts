import type { Context, ScheduledEvent } from 'aws-lambda';
import { RESOURCE_KINDS } from '../kinds/registry';
import { buildSweepNotice, SweepTally } from '../core/summary';
import { deliverOnce, drainOutbox, noticeRecord, type OutboxResult } from '../pipeline/deliver';
import { RESPONDER } from '../pipeline/handle';
import { logger, metrics } from '../powertools';
import { isFailure, sweep } from '../sweep/sweep';
import { runtimeFromEnv } from './make-handler';
import type { Runtime } from '../pipeline/handle';

/** Describe calls in flight at once: well under SageMaker's management API rates, with adaptive retry. */
export const SWEEP_CONCURRENCY = 8;

/** Time kept back at the end of the run to send the summary: a page takes seconds, publishing less. */
export const SUMMARY_RESERVE_MS = 90_000;

export interface SweepResult {
  readonly checked: number;
  readonly withFindings: number;
  readonly failures: number;
  readonly byDecision: Readonly<Record<string, number>>;
  readonly notified: boolean;
  readonly incomplete: boolean;
  readonly outbox?: OutboxResult;
}

type SweepContext = Pick<Context, 'invokedFunctionArn' | 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

/**
 * The scheduled sweep: first the notices the ledger still owes, then every kind through the responder's
 * own pipeline (the same per-resource notices, exactly once through the ledger), then one summary for the
 * operators. Per-resource failures are counted and reported, not retried (the next run tries again); a
 * listing failure fails the run, which the errors alarm reports. When the time runs out it stops listing
 * and still sends the summary of what it did.
 */
export function makeSweepHandler(runtime: Runtime) {
  return async (event: Pick<ScheduledEvent, 'id'>, context?: SweepContext): Promise<SweepResult> => {
    logger.resetKeys();
    const correlationId = event.id || context?.awsRequestId || `sweep-${Date.now()}`;
    logger.setCorrelationId(correlationId);
    const startedAt = runtime.now();
    const tally = new SweepTally();
    const time = { ranOut: false };
    const shouldStop = (): boolean => {
      const remaining = context?.getRemainingTimeInMillis?.();
      if (remaining !== undefined && remaining < SUMMARY_RESERVE_MS) time.ranOut = true;
      return time.ranOut;
    };
    const holder = `sweep:${correlationId}`;
    const account = context?.invokedFunctionArn.split(':')[4] ?? runtime.account ?? 'unknown';
    try {
      const outbox = runtime.ledger !== undefined ? await drainOutbox(runtime.ledger, runtime.topicArn, holder, runtime.now, shouldStop) : undefined;
      let listingError: unknown;
      try {
        for await (const item of sweep({ kinds: RESOURCE_KINDS, handle: RESPONDER, concurrency: SWEEP_CONCURRENCY, correlationId, shouldStop }, runtime)) {
          tally.add(isFailure(item) ? { ...item, findings: [] } : item);
          if (isFailure(item)) logger.error('Sweep could not check a resource', { resource: { kind: item.kind, name: item.name }, error: item.error });
        }
      } catch (error) {
        // A listing failed: what was done so far is still reported, then the run fails (the errors alarm).
        listingError = error;
      }
      const durationMs = runtime.now().getTime() - startedAt.getTime();
      const incomplete = time.ranOut
        ? `the function's time ran out after ${tally.checked} resources`
        : listingError !== undefined
          ? `a listing failed (${(listingError as Error).name}: ${(listingError as Error).message})`
          : undefined;
      const summary = { checked: tally.checked, withFindings: tally.withFindings, failures: tally.failures, byDecision: tally.byDecision };
      logger.info('Sweep summary', { ...summary, byControl: tally.byControl, exemptions: tally.exemptionCount, notices: tally.notified, outbox, incomplete, durationMs });
      let notified = false;
      if (tally.found || incomplete !== undefined || (outbox?.failed ?? 0) > 0) {
        const notice = buildSweepNotice(tally, {
          account,
          region: runtime.region,
          correlationId,
          startedAt,
          durationMs,
          ...(incomplete !== undefined ? { incomplete } : {}),
          ...(outbox !== undefined ? { outbox } : {}),
        });
        if (runtime.ledger === undefined) throw new Error('the sweep cannot notify without the ledger (LEDGER_TABLE)');
        const now = runtime.now();
        await deliverOnce(runtime.ledger, runtime.topicArn, noticeRecord({ pk: `sweep#${account}#${runtime.region}`, sk: correlationId }, 'sweep', notice, holder, now), holder, now);
        notified = true;
      }
      if (listingError !== undefined) throw listingError instanceof Error ? listingError : new Error(JSON.stringify(listingError));
      return { ...summary, notified, incomplete: incomplete !== undefined, ...(outbox !== undefined ? { outbox } : {}) };
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** Entry point of the scheduled sweep function. */
export const handler = makeSweepHandler(runtimeFromEnv(process.env));
