import { CONTROL_IDS, evaluate } from '../controls/catalog';
import type { Finding } from '../controls/types';
import { classifyError, errorName } from '../aws/errors';
import { addTags, listTags } from '../aws/sagemaker';
import { publishNotice } from '../aws/sns';
import { readSwitch } from '../aws/switch';
import { actionableFindings, decide, noticeAfterAction, type ActionResult, type Decision } from '../core/decision';
import { MalformedEventError, parseEvent, type GuardEvent } from '../core/event';
import { KINDS, type Action, type ResourceKind } from '../core/kinds';
import { exemptionsFor, resolveMode, type IgnoredExemption, type SwitchValue } from '../core/modes';
import { buildNotice, ownerRecipients, type Outcome } from '../core/notice';
import type { GuardSettings } from '../core/settings';
import { noticeSentTag, noticeStateOf, tagsBeforeAction } from '../core/tags';
import { logger } from '../powertools';
import type { Described, ResourceAccess } from './resources';
import { countFindings, countMetric, explainOutcomes } from './telemetry';

export interface Runtime {
  readonly settings: GuardSettings;
  readonly topicArn: string;
  /** The function's region, used when an ARN does not say. */
  readonly region: string;
  /** Name of the SSM parameter holding the account-wide switch; without one the policy alone decides. */
  readonly switchParameter?: string;
  /** The clock exemptions expire by. */
  readonly now: () => Date;
}

/** What one evaluation came to; returned for tests and logged as the decision line. */
export interface Result {
  readonly decision: Decision['type'] | 'gone';
  readonly actionResult?: ActionResult;
  readonly notified: boolean;
}

/** One resource's evaluation, with what a report needs (the sweep and the audit command print these). */
export interface Evaluated extends Result {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn?: string;
  readonly status?: string;
  readonly findings: readonly Finding[];
}

/**
 * What the pipeline may do beyond evaluating. The responder acts and notifies; the audit command only
 * evaluates (or acts, with --remediate, but never notifies); the scheduled sweep acts and sends one
 * summary notice of its own instead of one per resource.
 */
export interface HandleOptions {
  readonly act: boolean;
  readonly notify: boolean;
}

export const RESPONDER: HandleOptions = { act: true, notify: true };

interface Context<K extends ResourceKind> {
  readonly kind: K;
  readonly name: string;
  readonly access: ResourceAccess<K>;
  readonly described: Described<K>;
  readonly findings: readonly Finding[];
  readonly runtime: Runtime;
  readonly owner: string | undefined;
  readonly ignoredExemptions: readonly IgnoredExemption[];
  readonly options: HandleOptions;
  readonly correlationId: string;
}

/**
 * The responder, for one event: parse -> describe -> evaluate -> decide -> tag -> act -> tell.
 * Errors it cannot handle are thrown, so Lambda retries the event and then dead-letters it.
 */
export async function respond<K extends ResourceKind>(kind: K, raw: unknown, access: ResourceAccess<K>, runtime: Runtime): Promise<Result> {
  const event = parse(kind, raw);
  logger.setCorrelationId(event.eventId);
  logger.appendKeys({ resourceKind: kind, resourceName: event.name, reportedStatus: event.reportedStatus });
  const { decision, actionResult, notified } = await handleResource(kind, event.name, event.eventId, access, runtime, RESPONDER);
  return { decision, ...(actionResult !== undefined ? { actionResult } : {}), notified };
}

/**
 * Describe -> evaluate -> decide -> (tag -> act -> tell) for one resource by name: the same pipeline for
 * events, the scheduled sweep and the audit command. `correlationId` goes into tags and notices.
 */
export async function handleResource<K extends ResourceKind>(
  kind: K,
  name: string,
  correlationId: string,
  access: ResourceAccess<K>,
  runtime: Runtime,
  options: HandleOptions,
): Promise<Evaluated> {
  const described = await step(kind, 'describe', () => access.describe(name));
  if (described === undefined) {
    // Normal for a model's delete event, or for a resource removed before it was handled.
    logger.info('Decision', { decision: 'gone', detail: `the ${KINDS[kind].label} no longer exists; nothing to check`, resource: { kind, name } });
    return { kind, name, decision: 'gone', notified: false, findings: [] };
  }

  const { settings } = runtime;
  const tags = await step(kind, 'list-tags', () => listTags(described.arn));
  const switchValue: SwitchValue = runtime.switchParameter === undefined ? 'policy' : await step(kind, 'read-switch', () => readSwitch(runtime.switchParameter ?? ''));
  const exemptions = exemptionsFor(name, tags, settings, CONTROL_IDS, runtime.now());
  const { outcomes, findings } = evaluate(kind, described.resource, { settings, tags }, (controlId) => resolveMode(controlId, kind, settings, exemptions, switchValue));
  countMetric('Evaluations', { Kind: kind });
  countFindings(kind, findings);
  const decision = decide({ kind, status: described.status, findings, noticeState: noticeStateOf(tags) });
  const owner = tags[settings.ownerTagKey];
  const context: Context<K> = { kind, name, access, described, findings, runtime, owner, ignoredExemptions: exemptions.ignored, options, correlationId };

  const result = options.act ? await carryOut(context, decision) : { decision: decision.type, notified: false };
  logger.info('Decision', {
    decision: decision.type,
    acted: options.act,
    resource: { kind, name, arn: described.arn, status: described.status, owner },
    switch: switchValue,
    controls: explainOutcomes(outcomes),
    failed: actionableFindings(findings).map((finding) => finding.controlId),
    exempt: findings.filter((finding) => finding.mode === 'exempt').map((finding) => finding.controlId),
    exemptions: { active: exemptions.active, ignored: exemptions.ignored.map((ignored) => ignored.why) },
    actionResult: result.actionResult,
    notified: result.notified,
    ownerRecipients: result.notified ? ownerRecipients(owner, settings.owners) : [],
  });
  return { ...result, kind, name, arn: described.arn, ...(described.status !== undefined ? { status: described.status } : {}), findings };
}

function parse(kind: ResourceKind, raw: unknown): GuardEvent {
  try {
    return parseEvent(raw, kind);
  } catch (error) {
    if (error instanceof MalformedEventError) {
      countMetric('MalformedEvents', { Kind: kind });
      logger.error('Malformed event: not retried usefully; it ends in the dead-letter queue', { problems: error.problems, event: raw });
    }
    throw error;
  }
}

async function carryOut<K extends ResourceKind>(context: Context<K>, decision: Decision): Promise<Result> {
  switch (decision.type) {
    case 'compliant':
    case 'exempt':
    case 'not-actionable':
      return { decision: decision.type, notified: false };
    case 'report':
      if (context.options.notify) await notify(context, { type: 'report-only', action: decision.action });
      return { decision: decision.type, notified: context.options.notify };
    case 'resend-notice':
      if (!context.options.notify) return { decision: decision.type, notified: false };
      await notify(context, { type: 'acted-earlier', action: decision.action, status: decision.status });
      await markNoticeSent(context);
      return { decision: decision.type, notified: true };
    case 'remediate':
      return KINDS[context.kind].survivesAction ? actThenNotify(context, decision.action) : notifyThenAct(context, decision.action);
  }
}

/**
 * For resources that outlive the action (jobs, notebooks): tag (notice pending) -> act -> notify ->
 * tag (notice sent). If the notice fails the invocation fails, and Lambda's retry finds the resource
 * stopping with its notice still pending, and sends it then. If the pending mark cannot be written, the
 * retry could not know a notice is owed, so the notice goes out first instead, as for models.
 */
async function actThenNotify<K extends ResourceKind>(context: Context<K>, action: Action): Promise<Result> {
  const { kind, described, findings, name, options } = context;
  const ids = actionableFindings(findings).map((finding) => finding.controlId);
  const marked = await bestEffort(kind, 'tag', () => addTags(described.arn, tagsBeforeAction(ids, action, context.correlationId, options.notify)));
  if (!marked && options.notify) return notifyThenAct(context, action);
  const actionResult = await step(kind, 'act', () => context.access.act(name));
  countActionResult(kind, action, actionResult);
  if (!options.notify || !noticeAfterAction(actionResult)) return { decision: 'remediate', actionResult, notified: false };
  const outcome: Outcome =
    actionResult.type === 'done' ? { type: 'acted', action } : { type: 'not-possible', action, status: actionResult.type === 'wrong-state' ? actionResult.status : undefined };
  await notify(context, outcome);
  await markNoticeSent(context);
  return { decision: 'remediate', actionResult, notified: true };
}

/**
 * For resources the action removes (models), or that could not be marked: nothing would be left to say
 * a notice is owed, so the notice goes out first. If it fails nothing is done and the retry starts over;
 * if the action then fails the retry sends the notice again (notices may repeat, never vanish).
 */
async function notifyThenAct<K extends ResourceKind>(context: Context<K>, action: Action): Promise<Result> {
  if (context.options.notify) await notify(context, { type: 'acted', action });
  const actionResult = await step(context.kind, 'act', () => context.access.act(context.name));
  countActionResult(context.kind, action, actionResult);
  return { decision: 'remediate', actionResult, notified: context.options.notify };
}

function countActionResult(kind: ResourceKind, action: Action, result: ActionResult): void {
  if (result.type === 'done') countMetric('Remediations', { Kind: kind, Action: action });
  else logger.info('Action not applied', { action, result });
}

async function notify<K extends ResourceKind>(context: Context<K>, outcome: Outcome): Promise<void> {
  const { kind, described, name, findings, runtime } = context;
  const arnParts = described.arn.split(':');
  const notice = buildNotice({
    kind,
    name,
    arn: described.arn,
    account: arnParts[4] ?? 'unknown',
    region: arnParts[3] ?? runtime.region,
    eventId: context.correlationId,
    status: described.status,
    findings,
    outcome,
    owner: context.owner,
    ignoredExemptions: context.ignoredExemptions,
    ownerRecipients: ownerRecipients(context.owner, runtime.settings.owners),
  });
  const messageId = await step(kind, 'notify', () => publishNotice(runtime.topicArn, notice));
  countMetric('Notices', { Kind: kind });
  logger.info('Notice published', { messageId, subject: notice.subject, attributes: notice.attributes });
}

async function markNoticeSent<K extends ResourceKind>(context: Context<K>): Promise<void> {
  // A failure here only risks a repeated notice, which is allowed.
  await bestEffort(context.kind, 'tag', () => addTags(context.described.arn, [noticeSentTag]));
}

/** Runs an AWS call whose failure must fail the invocation (so it is retried), counting and logging it. */
async function step<T>(kind: ResourceKind, stage: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    countMetric('Failures', { Kind: kind, Stage: stage });
    logger.error(`Failed to ${stage}; the invocation fails so that Lambda retries it`, {
      errorClass: classifyError(error).type,
      errorName: errorName(error),
      error: error as Error,
    });
    throw error;
  }
}

/** Runs an AWS call the remediation does not depend on (tags): a failure is logged and counted only. */
async function bestEffort(kind: ResourceKind, stage: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    countMetric('Failures', { Kind: kind, Stage: stage });
    logger.warn(`Could not ${stage} the resource; going on`, { errorClass: classifyError(error).type, errorName: errorName(error), error: error as Error });
    return false;
  }
}
