import type { Context, ScheduledEvent } from 'aws-lambda';
import { publishNotice } from '../aws/sns';
import { RESOURCE_KINDS } from '../core/kinds';
import { buildSweepNotice, SweepTally } from '../core/summary';
import { logger, metrics } from '../powertools';
import { isFailure, sweep } from '../sweep/sweep';
import { runtimeFromEnv } from './make-handler';
import type { Runtime } from './respond';

/** Describe calls in flight at once: well under SageMaker's management API rates, with adaptive retry. */
export const SWEEP_CONCURRENCY = 8;

export interface SweepResult {
  readonly checked: number;
  readonly withFindings: number;
  readonly failures: number;
  readonly byDecision: Readonly<Record<string, number>>;
  readonly notified: boolean;
}

/**
 * The scheduled sweep: every kind, through the responder's own pipeline and policy, acting as the policy
 * says; then one summary notice when anything was found. Per-resource failures are counted and reported,
 * not retried (the next run tries again); a listing failure fails the run, which the errors alarm reports.
 */
export function makeSweepHandler(runtime: Runtime) {
  return async (event: Pick<ScheduledEvent, 'id'>, context?: Pick<Context, 'invokedFunctionArn' | 'awsRequestId'>): Promise<SweepResult> => {
    logger.resetKeys();
    const correlationId = event.id || context?.awsRequestId || `sweep-${Date.now()}`;
    logger.setCorrelationId(correlationId);
    const startedAt = runtime.now();
    const tally = new SweepTally();
    try {
      for await (const item of sweep({ kinds: RESOURCE_KINDS, handle: { act: true, notify: false }, concurrency: SWEEP_CONCURRENCY, correlationId }, runtime)) {
        tally.add(isFailure(item) ? { ...item, findings: [] } : item);
        if (isFailure(item)) logger.error('Sweep could not check a resource', { resource: { kind: item.kind, name: item.name }, error: item.error });
      }
      const account = context?.invokedFunctionArn.split(':')[4] ?? 'unknown';
      const durationMs = runtime.now().getTime() - startedAt.getTime();
      const summary = { checked: tally.checked, withFindings: tally.withFindings, failures: tally.failures, byDecision: tally.byDecision };
      logger.info('Sweep summary', { ...summary, byControl: tally.byControl, durationMs });
      if (!tally.found) return { ...summary, notified: false };
      await publishNotice(runtime.topicArn, buildSweepNotice(tally, { account, region: runtime.region, correlationId, startedAt, durationMs }));
      return { ...summary, notified: true };
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** Entry point of the scheduled sweep function. */
export const handler = makeSweepHandler(runtimeFromEnv(process.env));
