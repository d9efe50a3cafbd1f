import { randomUUID } from 'node:crypto';
import { MalformedEventError, parseEvent, type GuardEvent } from '../core/event';
import type { ResourceAccess, ResourceKind } from '../kinds/registry';
import { handleResource, RESPONDER, type Result, type Runtime } from '../pipeline/handle';
import { logger } from '../powertools';
import { countMetric } from '../pipeline/telemetry';

export { handleResource, RESPONDER } from '../pipeline/handle';
export type { Evaluated, HandleOptions, Result, Runtime } from '../pipeline/handle';

/**
 * The responder, for one event: parse, then the pipeline. Errors it cannot handle are thrown, so Lambda
 * retries the event and then dead-letters it (the `redrive` command replays it).
 */
export async function respond<K extends ResourceKind>(kind: K, raw: unknown, access: ResourceAccess<K>, runtime: Runtime, invocationId: string = randomUUID()): Promise<Result> {
  const event = parse(kind, raw);
  logger.setCorrelationId(event.eventId);
  logger.appendKeys({ resourceKind: kind, resourceName: event.name, reportedStatus: event.reportedStatus });
  const { decision, actionResult, notified } = await handleResource(kind, event.name, event.eventId, access, runtime, RESPONDER, {
    ...(event.reportedStatus !== undefined ? { reportedStatus: event.reportedStatus } : {}),
    ...(event.account !== undefined ? { account: event.account } : {}),
    ...(event.region !== undefined ? { region: event.region } : {}),
    holder: `${event.eventId}:${invocationId}`,
  });
  return { decision, ...(actionResult !== undefined ? { actionResult } : {}), notified };
}

function parse(kind: ResourceKind, raw: unknown): GuardEvent {
  try {
    return parseEvent(raw, kind);
  } catch (error) {
    if (error instanceof MalformedEventError) {
      countMetric('MalformedEvents', { Kind: kind });
      logger.error('Malformed event: not retried usefully; it ends in the dead-letter queue', { problems: error.problems, event: raw });
      logger.info('Decision', { decision: 'malformed', problems: error.problems });
    }
    throw error;
  }
}
