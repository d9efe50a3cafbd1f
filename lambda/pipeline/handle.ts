/**
 * One resource through the pipeline: describe -> (retry a lagging Describe) -> evaluate -> decide ->
 * consult the ledger -> act -> tell, for the responders, the sweep and the audit command alike. Every
 * run ends in exactly one `Decision` log line, a failed one included (with the stage that failed).
 */
import { errorName } from '../aws/errors';
import type { Ledger } from '../aws/ledger';
import { addTags, listTags } from '../aws/sagemaker';
import { readSwitch, type SwitchReading } from '../aws/switch';
import { actionableFindings, decide, isActionable, isLagging } from '../core/decision';
import { CATALOG, evaluate, KINDS, type ResourceAccess, type ResourceByKind, type ResourceKind } from '../kinds/registry';
import type { Described } from '../kinds/types';
import { exemptionsFor, hasTagExemption, parentCovers, resolveMode } from '../core/modes';
import { ownerRecipients } from '../core/notice';
import { tagsBeforeAction } from '../core/tags';
import { oneLine } from '../core/text';
import { isExistingEstate, planFromLedger, remediationSk, type LedgerPlan, type RemediationRecord, type ResourceRef } from '../ledger/records';
import { logger } from '../powertools';
import { countFindings, countMetric, explainOutcomes } from './telemetry';
import { handleGone } from './gone';
import { honouredExemptions, reportSwitchProblem, tellExemptions } from './operators';
import { abandon, remediateFresh, reportOnce, resend, resume, retryRefused, type Carried } from './remediation';
import type { DecisionType, Evaluated } from './result';
import { bestEffort, step, type Context, type HandleOptions, type Progress, type Runtime } from './steps';

export type { HandleOptions, Runtime } from './steps';

export const RESPONDER: HandleOptions = { act: true, notify: true };

/** What the event said, which the pipeline uses only to notice a lagging Describe and to name a gone resource. */
export interface EventHint {
  readonly reportedStatus?: string;
  readonly account?: string;
  readonly region?: string;
  /** Who this run is for the ledger's leases (see Context.holder); the correlation id when not given. */
  readonly holder?: string;
}

export type { DecisionType, Evaluated, HonouredExemption, Result } from './result';

/** How many times, and after how long, a lagging Describe* is read again before the invocation is retried. */
export const LAG_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000];

export class DescribeLagError extends Error {
  override readonly name = 'DescribeLagError';
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Account and region of a resource: from its ARN, else the event, else the function's own. */
function refOf(kind: ResourceKind, name: string, arn: string | undefined, hint: EventHint, runtime: Runtime): ResourceRef {
  const parts = arn?.split(':') ?? [];
  return {
    account: parts[4] || hint.account || runtime.account || 'unknown',
    region: parts[3] || hint.region || runtime.region,
    kind,
    name,
  };
}

export async function handleResource<K extends ResourceKind>(
  kind: K,
  name: string,
  correlationId: string,
  access: ResourceAccess<K>,
  runtime: Runtime,
  options: HandleOptions,
  hint: EventHint = {},
): Promise<Evaluated> {
  const progress: Progress = { kind, stage: 'describe' };
  try {
    return await run(kind, name, correlationId, access, runtime, options, hint, progress);
  } catch (error) {
    logger.info('Decision', {
      decision: 'error',
      failedStage: progress.stage,
      errorName: errorName(error),
      errorMessage: (error as Error).message,
      resource: { kind, name },
      detail: 'the run failed at this stage; it is retried (Lambda, or the next sweep), and after the retries the event is dead-lettered',
    });
    throw error;
  }
}

async function run<K extends ResourceKind>(
  kind: K,
  name: string,
  correlationId: string,
  access: ResourceAccess<K>,
  runtime: Runtime,
  options: HandleOptions,
  hint: EventHint,
  progress: Progress,
): Promise<Evaluated> {
  if (options.notify && runtime.ledger === undefined) throw new Error('the pipeline cannot notify without the ledger (LEDGER_TABLE)');
  const ledger = options.notify ? runtime.ledger : undefined;
  let described = await step(progress, 'describe', () => access.describe(name));
  for (const delay of LAG_RETRY_DELAYS_MS) {
    if (!isLagging(kind, hint.reportedStatus, described?.status)) break;
    logger.info('Describe lags the event; reading it again', { reportedStatus: hint.reportedStatus, describedStatus: described?.status, delayMs: delay });
    await (runtime.sleep ?? defaultSleep)(delay);
    described = await step(progress, 'describe', () => access.describe(name));
  }
  if (isLagging(kind, hint.reportedStatus, described?.status)) {
    progress.stage = 'describe-lag';
    throw new DescribeLagError(
      `the event says ${hint.reportedStatus ?? '?'} but Describe still says ${described?.status ?? '?'} after ${LAG_RETRY_DELAYS_MS.length + 1} reads; failing so that Lambda retries later`,
    );
  }
  const ref = refOf(kind, name, described?.arn, hint, runtime);
  const holder = hint.holder ?? correlationId;
  if (described === undefined) return handleGone(kind, name, ref, correlationId, holder, access, runtime, options, ledger, progress);
  if (described.partOf !== undefined && !parentCovers(kind, described.partOf.kind, runtime.settings)) {
    logger.info('Judged on its own: its parent does not enforce every control this kind does', { partOf: described.partOf });
  } else if (described.partOf !== undefined) {
    // One remediation and one notice for the parent (a tuning job and every training job it launched), not one per child.
    const { partOf } = described;
    logger.info('Decision', {
      decision: 'part-of',
      resource: { kind, name, arn: described.arn, status: described.status, episode: described.episode },
      partOf,
      detail: `judged, acted on and told about with its ${partOf.kind} ${partOf.name}, whose controls cover this ${KINDS[kind].label}'s settings`,
    });
    return {
      decision: 'part-of',
      notified: false,
      kind,
      name,
      arn: described.arn,
      ...(described.status !== undefined ? { status: described.status } : {}),
      findings: [],
      episode: described.episode,
      partOf,
    };
  }

  const { settings } = runtime;
  const tags = await step(progress, 'list-tags', () => listTags(described.arn));
  const switchReading: SwitchReading = runtime.switchParameter === undefined ? { value: 'policy' } : await step(progress, 'read-switch', () => readSwitch(runtime.switchParameter ?? ''));
  if (switchReading.problem !== undefined) await reportSwitchProblem(switchReading.problem.detail, switchReading.problem.code, ref, runtime, ledger, holder, progress);

  const now = runtime.now();
  const firstSeen = ledger !== undefined && hasTagExemption(tags) ? await step(progress, 'ledger-sighting', () => ledger.tagExemptionFirstSeen(ref, now)) : now;
  const exemptions = exemptionsFor(kind, name, tags, settings, CATALOG[kind], now, firstSeen);
  const { outcomes, findings } = evaluate(kind, described.resource, { settings, tags }, (controlId) => resolveMode(controlId, kind, settings, exemptions, switchReading.value));
  countMetric('Evaluations', { Kind: kind });
  countFindings(kind, findings);
  let decision = decide({ kind, status: described.status, findings });
  // The existing estate: what was there before the guard began enforcing is reported, not acted on.
  let existingSince: Date | undefined;
  /** The resource's ledger records when the estate check already read them (the plan below reuses them). */
  let records: RemediationRecord[] | undefined;
  if (decision.type === 'remediate' && !settings.sweep.actOnExisting) {
    const since = runtime.enforcementSince ?? (ledger !== undefined ? await step(progress, 'ledger-enforcement', () => ledger.enforcementBeganOrNow(runtime.now(), holder)) : undefined);
    // Older than enforcement, unless the guard already acted on this very episode (a retry, a redriven event,
    // or a ledger from a version that enforced before it recorded when): then it is not estate.
    const actedOnBefore = async (): Promise<boolean> => {
      if (ledger === undefined) return false;
      records = await step(progress, 'ledger-read', () => ledger.recentRemediations(ref));
      // A claim that never reached the Stop or Delete call (throttled, or the run died) is not an action.
      return records.some((record) => record.episode === described.episode && record.action !== 'report' && record.actAttempts > 0);
    };
    if (since !== undefined && isExistingEstate(described.episode, since) && !(await actedOnBefore())) {
      existingSince = since;
      decision = { type: 'report', action: decision.action };
      countMetric('ExistingEstate', { Kind: kind });
    }
  }
  const rawOwner = (tags as Partial<Record<string, string>>)[settings.ownerTagKey];
  const owner = rawOwner === undefined ? undefined : oneLine(rawOwner).trim() || undefined;
  const notes = ledger !== undefined && (decision.type === 'remediate' || decision.type === 'report') ? await notesFor(access, name, described, progress) : undefined;
  const context: Context<K> = { kind, name, ref, access, described, present: true, findings, runtime, owner, exemptions, options, correlationId, holder, progress, ...(notes !== undefined ? { notes } : {}) };

  let carried: Carried = { notified: false };
  let type: DecisionType = decision.type;
  let plan: LedgerPlan = { type: 'fresh' };
  if (ledger !== undefined) {
    const intended = decision.type === 'remediate' || decision.type === 'report' ? { sk: remediationSk(described.episode, decision.type === 'report' ? 'report' : decision.action) } : undefined;
    // A refusal in another status than the one described now, which the kind can be acted on in (an endpoint config
    // described unused and found in use by the Delete's re-check), is tried again: the state it met may have passed.
    const canRetry = (status: string): boolean => status !== described.status && isActionable(kind, status);
    const replan = async (): Promise<LedgerPlan> => planFromLedger(await step(progress, 'ledger-read', () => ledger.recentRemediations(ref)), intended, holder, runtime.now(), canRetry);
    plan = records !== undefined ? planFromLedger(records, intended, holder, runtime.now(), canRetry) : await replan();
    ({ type, carried } = await carryOut(context, ledger, decision, plan, replan, existingSince));
  } else if (decision.type === 'remediate' && options.act) {
    carried = await actWithoutLedger(context, decision.action);
  }

  const honoured = honouredExemptions(exemptions, findings);
  if (ledger !== undefined) await tellExemptions(context, ledger, honoured, progress);

  logger.info('Decision', {
    decision: type,
    ...(plan.type !== 'fresh' ? { ledger: { plan: plan.type, record: { sk: plan.record.sk, holder: plan.record.holder, result: plan.record.result?.type, notice: plan.record.notice } } } : {}),
    resource: { kind, name, arn: described.arn, status: described.status, episode: described.episode, owner },
    switch: switchReading.value,
    ...(existingSince !== undefined
      ? { existingEstate: { enforcementSince: existingSince.toISOString(), episode: described.episode, detail: 'enforced controls failed, but the resource is older than enforcement: reported, not acted on (sweep.actOnExisting is off)' } }
      : {}),
    ...(switchReading.problem !== undefined ? { switchProblem: switchReading.problem.detail } : {}),
    controls: explainOutcomes(outcomes),
    failed: actionableFindings(findings).map((finding) => finding.controlId),
    exempt: findings.filter((finding) => finding.mode === 'exempt').map((finding) => finding.controlId),
    exemptions: { active: exemptions.active, ignored: exemptions.ignored.map((ignored) => ignored.why) },
    actionResult: carried.actionResult,
    notified: carried.notified,
    ownerRecipients: carried.notified ? ownerRecipients(owner, settings.owners) : [],
  });
  return {
    decision: type,
    ...(carried.actionResult !== undefined ? { actionResult: carried.actionResult } : {}),
    notified: carried.notified,
    kind,
    name,
    arn: described.arn,
    ...(described.status !== undefined ? { status: described.status } : {}),
    findings,
    ...(honoured.length > 0 ? { exemptionsHonoured: honoured } : {}),
    episode: described.episode,
    ...(owner !== undefined ? { owner } : {}),
    ...(existingSince !== undefined ? { existing: { enforcementSince: existingSince.toISOString() } } : {}),
  };
}

/** The adapter's facts for the notice; a failed read is said in the notice rather than losing or delaying it. */
async function notesFor<K extends ResourceKind>(access: ResourceAccess<K>, name: string, described: Described<ResourceByKind[K]>, progress: Progress): Promise<readonly string[] | undefined> {
  if (access.notes === undefined) return undefined;
  const stage = progress.stage;
  progress.stage = 'notes';
  try {
    return await access.notes(name, described);
  } catch (error) {
    logger.warn('Could not read what the notice tells besides the resource', { errorName: errorName(error), errorMessage: (error as Error).message });
    return [`(The guard could not read the related resources for this notice: ${errorName(error)}.)`];
  } finally {
    progress.stage = stage;
  }
}

async function carryOut<K extends ResourceKind>(
  context: Context<K>,
  ledger: Ledger,
  decision: ReturnType<typeof decide>,
  plan: LedgerPlan,
  replan: () => Promise<LedgerPlan>,
  existingSince?: Date,
): Promise<{ type: DecisionType; carried: Carried }> {
  switch (plan.type) {
    case 'resume': {
      // Finish an earlier attempt by acting only if acting is still what the policy wants, on the same
      // episode: never after the switch went to report, the resource was fixed, or it was started again.
      const { record } = plan;
      const sameEpisode = record.episode === context.described.episode;
      if (isActionable(context.kind, context.described.status) && (!sameEpisode || decision.type !== 'remediate')) {
        const reason = !sameEpisode ? 'the resource was started again since (a new episode)' : `the decision is now ${decision.type}`;
        if (!(await abandon(context, ledger, record, reason))) return { type: 'busy', carried: { notified: false, skipped: 'busy' } };
        return carryOut(context, ledger, decision, await replan(), replan, existingSince);
      }
      return { type: 'resume', carried: await resume(context, ledger, record) };
    }
    case 'busy':
      return { type: 'busy', carried: { notified: false, skipped: 'busy' } };
    case 'done':
      return { type: 'duplicate', carried: { notified: false, skipped: 'duplicate' } };
    case 'resend':
      return { type: 'resend-notice', carried: await resend(context, ledger, plan.record) };
    case 'retry-denied':
    case 'retry-refused':
      return { type: plan.type, carried: await retryRefused(context, ledger, plan.record) };
    case 'fresh':
      break;
  }
  if (decision.type === 'remediate') {
    if (!context.options.act) return { type: decision.type, carried: { notified: false } };
    const carried = await remediateFresh(context, ledger, decision.action);
    return { type: carried.skipped === 'busy' ? 'busy' : 'remediate', carried };
  }
  if (decision.type === 'report') {
    const carried = await reportOnce(context, ledger, decision.action, existingSince);
    return { type: carried.skipped === 'busy' ? 'busy' : 'report', carried };
  }
  return { type: decision.type, carried: { notified: false } };
}

/** The audit command's --remediate: tags (no notice is owed), acts, tells nobody (it prints the result). */
async function actWithoutLedger<K extends ResourceKind>(context: Context<K>, action: 'stop' | 'delete'): Promise<Carried> {
  const { kind, described, name, findings } = context;
  if (KINDS[kind].survivesAction) {
    await bestEffort(context.progress, 'tag', () => addTags(described.arn, tagsBeforeAction(actionableFindings(findings).map((finding) => finding.controlId), action, context.correlationId)));
  }
  const actionResult = await step(context.progress, 'act', () => context.access.act(name));
  if (actionResult.type === 'done') countMetric('Remediations', { Kind: kind, Action: action });
  return { actionResult, notified: false };
}

