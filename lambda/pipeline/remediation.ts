/**
 * Acting and telling, with the ledger as the guard's memory: claim the remediation (a conditional write,
 * so copies of one event agree on one remediation), explain it in tags, count the attempt, act, record
 * the real result with the notice it owes, publish, mark sent. Every step that fails fails the invocation,
 * and its retry (or the resend function) picks the record up where it stopped.
 */
import type { Ledger, LedgerKey } from '../aws/ledger';
import { addTags } from '../aws/sagemaker';
import { actionableFindings, isActionable, type ActionResult } from '../core/decision';
import { KINDS, type ResourceKind } from '../kinds/registry';
import type { Action } from '../kinds/types';
import { buildNotice, ownerRecipients, type Outcome } from '../core/notice';
import { tagsBeforeAction } from '../core/tags';
import { dayOf, expiresAt, LEASE_MS, remediationSk, resourcePk, type RecordAction, type RecordedResult, type RemediationRecord } from '../ledger/records';
import { NOTICE_PENDING } from '../ledger/schema';
import { logger } from '../powertools';
import { ALARM_METRICS, countAlarmMetric, countMetric } from './telemetry';
import { publishStored } from './deliver';
import { bestEffort, step, type Context } from './steps';

/** What carrying out a remediation came to, for the decision line and the caller. */
export interface Carried {
  readonly actionResult?: ActionResult;
  readonly notified: boolean;
  /** Set when the ledger says another invocation owns the work or it was done before. */
  readonly skipped?: 'busy' | 'duplicate';
}

function keyOf(record: Pick<RemediationRecord, 'pk' | 'sk'>): LedgerKey {
  return { pk: record.pk, sk: record.sk };
}

/** The record a fresh remediation or report creates. */
export function newRecord<K extends ResourceKind>(context: Context<K>, action: RecordAction, now: Date): RemediationRecord {
  const { ref, described, findings, correlationId, holder, owner } = context;
  return {
    pk: resourcePk(ref),
    sk: remediationSk(described.episode, action),
    type: 'remediation',
    ref,
    arn: described.arn,
    episode: described.episode,
    action,
    controls: actionableFindings(findings).map((finding) => finding.controlId),
    ...(owner !== undefined ? { owner } : {}),
    at: now.toISOString(),
    day: dayOf(now),
    expiresAt: expiresAt(now),
    holder,
    leaseUntil: now.getTime() + LEASE_MS,
    actAttempts: 0,
    correlationId,
  };
}

/** What the notice says happened, from the action's result. */
export function outcomeOf(action: Action, result: ActionResult, status: string | undefined, byEarlierAttempt = false, neverCalled = false): Outcome {
  switch (result.type) {
    case 'done':
      return { type: 'acted', action, ...(byEarlierAttempt ? { byEarlierAttempt } : {}), ...(status !== undefined ? { status } : {}) };
    case 'wrong-state':
      return { type: 'not-possible', action, status: result.status, ...(neverCalled ? { neverCalled } : {}), ...(result.reason !== undefined ? { reason: result.reason } : {}) };
    case 'gone':
      return { type: 'gone', action };
    case 'denied':
      return { type: 'denied', action, errorName: result.errorName, permission: result.permission };
  }
}

function recorded(result: ActionResult, status: string | undefined, byEarlierAttempt: boolean): RecordedResult {
  switch (result.type) {
    case 'done':
      return { type: 'done', ...(status !== undefined ? { status } : {}), ...(byEarlierAttempt ? { byEarlierAttempt } : {}) };
    case 'wrong-state':
      return { type: 'wrong-state', ...(result.status !== undefined ? { status: result.status } : {}) };
    case 'gone':
      return { type: 'gone' };
    case 'denied':
      return { type: 'denied', errorName: result.errorName, permission: result.permission, message: result.message.slice(0, 500) };
  }
}

export function noticeFor<K extends ResourceKind>(context: Context<K>, outcome: Outcome, tagged: boolean) {
  const { kind, described, name, findings, runtime, ref, owner } = context;
  return buildNotice({
    kind,
    name,
    arn: described.arn,
    account: ref.account,
    region: ref.region,
    eventId: context.correlationId,
    status: described.status,
    findings,
    outcome,
    tagged,
    owner,
    ignoredExemptions: context.exemptions.ignored,
    ownerRecipients: ownerRecipients(owner, runtime.settings.owners),
    ...(context.notes !== undefined ? { notes: context.notes } : {}),
  });
}

/** A fresh remediation: claim it, then act and tell. Losing the claim means another copy of the event has it. */
export async function remediateFresh<K extends ResourceKind>(context: Context<K>, ledger: Ledger, action: Action): Promise<Carried> {
  // In the outbox's index from the start: if this invocation and its retries die before a result is
  // recorded, the resend function tells the operators the outcome is unknown (see drainOutbox).
  const record: RemediationRecord = { ...newRecord(context, action, context.runtime.now()), noticePending: NOTICE_PENDING };
  const claimed = await step(context.progress, 'ledger-claim', () => ledger.create(record));
  if (!claimed) {
    logger.info('Another invocation claimed this remediation first; it acts and tells', { key: keyOf(record) });
    return { notified: false, skipped: 'busy' };
  }
  return actAndTell(context, ledger, record, { tag: true });
}

/**
 * Finishes a record an earlier attempt left in doubt (it may have called the action without recording
 * what came of it). If the resource can still be acted on, act; otherwise, if an attempt was made, the
 * resource being stopped or gone is that attempt's doing; if none was, it is what it is now.
 */
export async function resume<K extends ResourceKind>(context: Context<K>, ledger: Ledger, record: RemediationRecord): Promise<Carried> {
  const held = await step(context.progress, 'ledger-acquire', () => ledger.acquire<RemediationRecord>(keyOf(record), context.holder, context.runtime.now()));
  if (held === undefined) return { notified: false, skipped: 'busy' };
  const action = held.action === 'report' ? KINDS[context.kind].action : held.action;
  if (context.present && isActionable(context.kind, context.described.status)) return actAndTell(context, ledger, held, { tag: false });
  const status = context.present ? context.described.status : undefined;
  // Claim the earlier attempt's work only where the state fits it: stopping or stopped after a Stop, gone after a Delete.
  const fits = !context.present || (status !== undefined && STOPPED_STATES.has(status));
  const result: ActionResult = held.actAttempts > 0 && fits ? { type: 'done' } : context.present ? { type: 'wrong-state', status } : { type: 'gone' };
  return recordAndTell(context, ledger, held, action, result, { tagged: false, byEarlierAttempt: result.type === 'done', neverCalled: held.actAttempts === 0 });
}

/** States a stop leads to. */
const STOPPED_STATES = new Set(['Stopping', 'Stopped']);

/**
 * Closes a record left in doubt that must not be finished by acting: the decision changed since (the switch
 * says report, the resource was fixed) or it is of an earlier episode (the resource was started again).
 * Nothing is done to the resource on its account and no notice is owed; the log and the ledger say why.
 */
export async function abandon<K extends ResourceKind>(context: Context<K>, ledger: Ledger, record: RemediationRecord, reason: string): Promise<boolean> {
  const held = await step(context.progress, 'ledger-acquire', () => ledger.acquire<RemediationRecord>(keyOf(record), context.holder, context.runtime.now()));
  if (held === undefined) return false;
  await step(context.progress, 'ledger-result', () => ledger.recordResult(keyOf(held), context.holder, { type: 'abandoned', reason, attempts: held.actAttempts }, context.runtime.now(), 'none'));
  logger.warn('A remediation left in doubt is closed without acting', { key: keyOf(held), reason, actAttempts: held.actAttempts });
  return true;
}

/**
 * A remediation refused before (denied, or a state that can pass: an endpoint config in use): try again while the
 * resource can be acted on; tell only if the outcome changed (the same refusal again is recorded, not told again).
 */
export async function retryRefused<K extends ResourceKind>(context: Context<K>, ledger: Ledger, record: RemediationRecord): Promise<Carried> {
  if (!isActionable(context.kind, context.described.status)) return { notified: false, skipped: 'duplicate' };
  const held = await step(context.progress, 'ledger-acquire', () => ledger.acquire<RemediationRecord>(keyOf(record), context.holder, context.runtime.now()));
  if (held === undefined) return { notified: false, skipped: 'busy' };
  return actAndTell(context, ledger, held, { tag: false, quietIfRefusedAgain: held.result });
}

/** Whether an action's result is the refusal recorded before (the owners were told of it already). */
function sameRefusal(result: ActionResult, before: RecordedResult | undefined): boolean {
  if (result.type === 'denied') return before?.type === 'denied';
  return result.type === 'wrong-state' && before?.type === 'wrong-state' && before.status === result.status;
}

async function actAndTell<K extends ResourceKind>(
  context: Context<K>,
  ledger: Ledger,
  record: RemediationRecord,
  options: { readonly tag: boolean; readonly quietIfRefusedAgain?: RecordedResult },
): Promise<Carried> {
  const { kind, described, name } = context;
  const action = KINDS[kind].action;
  const key = keyOf(record);
  // Tags explain the stop to the resource's owner; the guard never reads them back as state.
  const tagged =
    options.tag && KINDS[kind].survivesAction
      ? await bestEffort(context.progress, 'tag', () => addTags(described.arn, tagsBeforeAction(record.controls, action, context.correlationId)))
      : false;
  await step(context.progress, 'ledger-attempt', () => ledger.countAttempt(key, context.holder));
  let result: ActionResult;
  try {
    result = await step(context.progress, 'act', () => context.access.act(name));
  } catch (error) {
    // A refusal the service sent (throttling, a client error) proves the call did not take effect: it is not
    // counted, so a retry that finds the resource stopped by someone else does not claim it. A time-out or
    // server fault may have taken effect, and stays counted.
    if ((error as { $fault?: string }).$fault === 'client') await ledger.countAttempt(key, context.holder, -1).catch(() => undefined);
    throw error;
  }
  countActionResult(kind, action, result);
  if (options.quietIfRefusedAgain !== undefined && sameRefusal(result, options.quietIfRefusedAgain)) {
    await step(context.progress, 'ledger-result', () => ledger.recordResult(key, context.holder, recorded(result, undefined, false), context.runtime.now(), 'keep'));
    return { actionResult: result, notified: false };
  }
  return recordAndTell(context, ledger, record, action, result, { tagged, byEarlierAttempt: false, afterCall: true });
}

async function recordAndTell<K extends ResourceKind>(
  context: Context<K>,
  ledger: Ledger,
  record: RemediationRecord,
  action: Action,
  result: ActionResult,
  how: { readonly tagged: boolean; readonly byEarlierAttempt: boolean; readonly neverCalled?: boolean; readonly afterCall?: boolean },
): Promise<Carried> {
  const key = keyOf(record);
  // Right after the call the status read before it is stale, so it is not told as the status now.
  const status = context.present && how.afterCall !== true ? context.described.status : undefined;
  const notice = noticeFor(context, outcomeOf(action, result, status, how.byEarlierAttempt, how.neverCalled === true), how.tagged);
  const now = context.runtime.now();
  await step(context.progress, 'ledger-result', () => ledger.recordResult(key, context.holder, recorded(result, status, how.byEarlierAttempt), now, notice));
  await step(context.progress, 'notify', () => publishStored(ledger, context.runtime.topicArn, key, notice, context.runtime.now(), context.holder));
  return { actionResult: result, notified: true };
}

/**
 * A report-only notice, once per episode: the record is created with its notice owed, then sent. With
 * `existingSince`, enforced controls failed on a resource older than enforcement (the existing estate).
 */
export async function reportOnce<K extends ResourceKind>(context: Context<K>, ledger: Ledger, action: Action, existingSince?: Date): Promise<Carried> {
  const now = context.runtime.now();
  const outcome = existingSince === undefined ? ({ type: 'report-only', action } as const) : ({ type: 'existing', action, enforcementSince: existingSince.toISOString() } as const);
  const notice = noticeFor(context, outcome, false);
  const record: RemediationRecord = {
    ...newRecord(context, 'report', now),
    result: { type: 'reported' },
    resultAt: now.toISOString(),
    notice: 'pending',
    storedNotice: notice,
    noticePending: NOTICE_PENDING,
  };
  const claimed = await step(context.progress, 'ledger-claim', () => ledger.create(record));
  if (!claimed) return { notified: false, skipped: 'busy' };
  await step(context.progress, 'notify', () => publishStored(ledger, context.runtime.topicArn, keyOf(record), notice, context.runtime.now(), context.holder));
  return { notified: true };
}

/** Sends the stored notice of a record whose notice is still owed (its publish failed earlier). */
export async function resend<K extends ResourceKind>(context: Context<K>, ledger: Ledger, record: RemediationRecord): Promise<Carried> {
  const held = await step(context.progress, 'ledger-acquire', () => ledger.acquire<RemediationRecord>(keyOf(record), context.holder, context.runtime.now()));
  if (held === undefined || held.notice !== 'pending' || held.storedNotice === undefined) return { notified: false, skipped: 'busy' };
  const notice = held.storedNotice;
  await step(context.progress, 'notify', () => publishStored(ledger, context.runtime.topicArn, keyOf(held), notice, context.runtime.now(), context.holder));
  return { notified: true };
}

function countActionResult(kind: ResourceKind, action: Action, result: ActionResult): void {
  if (result.type === 'done') countMetric('Remediations', { Kind: kind, Action: action });
  if (result.type === 'denied') {
    countAlarmMetric(ALARM_METRICS.actionsDenied);
    logger.error('The action was denied: the resource keeps running; an SCP, a permissions boundary or the role refuses it', { action, result });
  } else if (result.type !== 'done') logger.info('Action not applied', { action, result });
}
