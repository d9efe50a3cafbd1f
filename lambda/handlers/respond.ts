import { randomUUID } from 'node:crypto';
import { MemberAccessError, type Target } from '../aws/accounts';
import { withClients, type AccountClients } from '../aws/clients';
import { MalformedEventError, parseEvent, type GuardEvent } from '../core/event';
import { KINDS, type ResourceAccess, type ResourceKind } from '../kinds/registry';
import { reportMemberAccess } from '../pipeline/operators';
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
  logger.appendKeys({ resourceKind: kind, resourceName: event.name, reportedStatus: event.reportedStatus, ...(event.account !== undefined ? { account: event.account } : {}) });
  const holder = `${event.eventId}:${invocationId}`;
  const clients = await clientsFor(kind, event, runtime, holder);
  const run = async (): Promise<Result> => {
    const { decision, actionResult, notified } = await handleResource(kind, event.name, event.eventId, access, runtime, RESPONDER, {
      ...(event.reportedStatus !== undefined ? { reportedStatus: event.reportedStatus } : {}),
      ...(event.account !== undefined ? { account: event.account } : {}),
      ...(event.region !== undefined ? { region: event.region } : {}),
      holder,
    });
    return { decision, ...(actionResult !== undefined ? { actionResult } : {}), notified };
  };
  return clients === undefined ? run() : withClients(clients, run);
}

/**
 * The clients of the event's account and region (undefined: the function's own). A member account that cannot be
 * entered is told to the operators (once an hour) and fails the invocation: retried, then dead-lettered, never dropped.
 */
async function clientsFor(kind: ResourceKind, event: GuardEvent, runtime: Runtime, holder: string): Promise<AccountClients | undefined> {
  if (runtime.accounts === undefined || event.account === undefined) return undefined;
  const target: Target = { account: event.account, region: event.region ?? runtime.region };
  try {
    return await runtime.accounts.clientsFor(target);
  } catch (error) {
    if (error instanceof MemberAccessError) {
      await reportMemberAccess(error, `${KINDS[kind].label} ${event.name}`, runtime, runtime.ledger, holder, { kind, stage: 'member-access' });
    }
    logger.info('Decision', { decision: 'failed', stage: 'member-access', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
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
