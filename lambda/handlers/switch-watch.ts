import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { readSwitchNow } from '../aws/switch';
import { buildSwitchChangeNotice } from '../core/operator-notice';
import { describeIssues, issueMessage } from '../core/validation';
import { deliverOnce, noticeRecord, type DeliveryResult } from '../pipeline/deliver';
import { logger, metrics } from '../powertools';
import { runtimeFromEnv } from './make-handler';
import type { Runtime } from '../pipeline/handle';

/** The Parameter Store change event (source aws.ssm): the parameter's name and what was done to it, not its value. */
const changeEvent = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal('aws.ssm'),
  'detail-type': z.literal('Parameter Store Change'),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  detail: z.object({ name: z.string().check(z.minLength(1)), operation: z.string().check(z.minLength(1)) }),
});

export class MalformedSwitchEventError extends Error {
  override readonly name = 'MalformedSwitchEventError';
}

/**
 * Tells the operators every change of the enforcement switch, with the value it now holds (read at once,
 * bypassing the cache) and what that means; a deleted or invalid switch is said to fail safe. Exactly one
 * notice per change event, through the ledger.
 */
export function makeSwitchWatchHandler(runtime: Runtime) {
  return async (raw: unknown, context?: { readonly awsRequestId?: string }): Promise<DeliveryResult> => {
    logger.resetKeys();
    try {
      const parsed = changeEvent.safeParse(raw, { error: issueMessage });
      if (!parsed.success) {
        const problems = describeIssues(parsed.error, raw);
        logger.error('Malformed Parameter Store change event; it ends in the dead-letter queue', { problems, event: raw });
        throw new MalformedSwitchEventError(`Malformed Parameter Store change event: ${problems.join('; ')}`);
      }
      const event = parsed.data;
      logger.setCorrelationId(event.id);
      if (runtime.ledger === undefined) throw new Error('the switch watcher needs the ledger (LEDGER_TABLE)');
      const parameterName = runtime.switchParameter ?? event.detail.name;
      const reading = await readSwitchNow(parameterName);
      const account = event.account ?? runtime.account ?? 'unknown';
      const region = event.region ?? runtime.region;
      const notice = buildSwitchChangeNotice({ parameterName, operation: event.detail.operation, time: event.time ?? runtime.now().toISOString(), reading, account, region });
      const now = runtime.now();
      const holder = `${event.id}:${context?.awsRequestId ?? randomUUID()}`;
      const record = noticeRecord({ pk: `guard#${account}#${region}#switch`, sk: `change#${event.id}` }, 'switch', notice, holder, now);
      const delivered = await deliverOnce(runtime.ledger, runtime.topicArn, record, holder, now);
      logger.info('Switch change', { operation: event.detail.operation, value: reading.value, problem: reading.problem?.detail, delivered });
      return delivered;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** Entry point of the switch watcher (EventBridge rule on the parameter's changes). */
export const handler = makeSwitchWatchHandler(runtimeFromEnv(process.env));
