/** What the pipeline tells the operators about, besides remediations: honoured exemptions and a broken switch. */
import { createHash } from 'node:crypto';
import type { Finding } from '../controls/types';
import type { Ledger } from '../aws/ledger';
import type { ResourceKind } from '../kinds/registry';
import type { Exemptions } from '../core/modes';
import { buildExemptionNotice, buildMemberAccessNotice, buildSwitchProblemNotice } from '../core/operator-notice';
import type { Notice } from '../core/notice';
import type { MemberAccessError } from '../aws/accounts';
import { resourcePk, type ResourceRef } from '../ledger/records';
import { logger } from '../powertools';
import { ALARM_METRICS, countAlarmMetric, countMetric } from './telemetry';
import { deliverOnce, noticeRecord } from './deliver';
import type { HonouredExemption } from './result';
import { bestEffort, step, type Context, type Progress, type Runtime } from './steps';

/** The active exemptions that exempted at least one failing control, with the controls they exempted. */
export function honouredExemptions(exemptions: Exemptions, findings: readonly Finding[]): HonouredExemption[] {
  const exempt = findings.filter((finding) => finding.mode === 'exempt');
  return exemptions.active.flatMap((exemption) => {
    const controls = exempt.filter((finding) => finding.modeSource === exemption.source && (exemption.controls === 'all' || exemption.controls.includes(finding.controlId))).map((finding) => finding.controlId);
    if (controls.length === 0) return [];
    return [{ source: exemption.source, scope: exemption.scope, reason: exemption.reason, ...(exemption.expires !== undefined ? { expires: exemption.expires } : {}), controls }];
  });
}

/** Each honoured exemption reaches the operators once, and again when its controls or expiry change. */
export async function tellExemptions<K extends ResourceKind>(context: Context<K>, ledger: Ledger, honoured: readonly HonouredExemption[], progress: Progress): Promise<void> {
  for (const exemption of honoured) {
    const fingerprint = createHash('sha256').update(JSON.stringify([exemption.source, exemption.scope, [...exemption.controls].sort(), exemption.expires ?? ''])).digest('hex').slice(0, 20);
    const active = context.exemptions.active.find((candidate) => candidate.source === exemption.source && candidate.scope === exemption.scope);
    if (active === undefined) continue;
    const notice = buildExemptionNotice({
      kind: context.kind,
      name: context.name,
      arn: context.described.arn,
      account: context.ref.account,
      region: context.ref.region,
      exemption: active,
      exempted: context.findings.filter((finding) => exemption.controls.includes(finding.controlId)),
      owner: context.owner,
      correlationId: context.correlationId,
    });
    const now = context.runtime.now();
    const record = noticeRecord({ pk: resourcePk(context.ref), sk: `exemption-notice#${fingerprint}` }, 'exemption', notice, context.holder, now);
    const delivered = await step(progress, 'notify-exemption', () => deliverOnce(ledger, context.runtime.topicArn, record, context.holder, now));
    if (delivered === 'sent') countMetric('ExemptionNotices', { Kind: context.kind });
  }
}

/**
 * The switch could not be read: the run goes on as `policy`, the SwitchFallback alarm counts it, and the
 * operators get one notice an hour while it lasts (one ledger record per hour and problem).
 */
export async function reportSwitchProblem(
  detail: string,
  code: string,
  ref: ResourceRef,
  runtime: Runtime,
  ledger: Ledger | undefined,
  holder: string,
  progress: Progress,
): Promise<void> {
  countAlarmMetric(ALARM_METRICS.switchFallback);
  logger.error('The enforcement switch could not be read; failing safe: the policy applies', { detail });
  // The switch is the guard's own (in a hub, the hub's), whichever account the resource is in: name where it lives.
  const account = runtime.account ?? ref.account;
  const region = runtime.region;
  const notice = buildSwitchProblemNotice({ parameterName: runtime.switchParameter ?? '', detail, account, region });
  await tellHourly(`guard#${account}#${region}#switch`, `problem#${code}`, 'switch', notice, runtime, ledger, holder, progress);
}

/**
 * A problem of the guard itself reaches the operators once an hour while it lasts: one ledger record per key and hour,
 * delivered at most once. Best effort: telling must not stop the run it is about (a failure is logged only).
 */
async function tellHourly(pk: string, problem: string, topic: string, notice: Notice, runtime: Runtime, ledger: Ledger | undefined, holder: string, progress: Progress): Promise<void> {
  if (ledger === undefined) return;
  const now = runtime.now();
  const record = noticeRecord({ pk, sk: `${problem}#${now.toISOString().slice(0, 13)}` }, topic, notice, holder, now);
  await bestEffort(progress, `notify-${topic}-problem`, () => deliverOnce(ledger, runtime.topicArn, record, holder, now));
}

/**
 * A member account's role could not be assumed: the MemberAccountUnreachable alarm counts it, and the operators
 * get one notice an hour per account and region while it lasts. The caller then fails the run (retry, dead letter).
 */
export async function reportMemberAccess(error: MemberAccessError, about: string, runtime: Runtime, ledger: Ledger | undefined, holder: string, progress: Progress): Promise<void> {
  countAlarmMetric(ALARM_METRICS.memberUnreachable);
  logger.error('A member account could not be entered; nothing is checked there', { account: error.target.account, region: error.target.region, roleArn: error.roleArn, cause: error.causeName, detail: error.causeMessage });
  const { account, region } = error.target;
  const notice = buildMemberAccessNotice({ account, region, roleArn: error.roleArn, detail: `${error.causeName}: ${error.causeMessage}`, about });
  await tellHourly(`guard#${account}#${region}#member`, 'unreachable', 'member', notice, runtime, ledger, holder, progress);
}
