import type { Finding } from '../controls/types';
import { KINDS, type ResourceKind } from '../kinds/registry';
import type { Action } from '../kinds/types';

export interface DecisionInput {
  readonly kind: ResourceKind;
  /** Status from Describe*; undefined for models, which have none. */
  readonly status: string | undefined;
  /** Failed controls, each in its effective mode (enforce, report or exempt). */
  readonly findings: readonly Finding[];
}

export type Decision =
  | { readonly type: 'compliant' }
  | { readonly type: 'exempt' }
  | { readonly type: 'remediate'; readonly action: Action }
  | { readonly type: 'report'; readonly action: Action }
  | { readonly type: 'not-actionable'; readonly status: string };

/** Whether the kind's action is valid in this status (a model that was described still exists). */
export function isActionable(kind: ResourceKind, status: string | undefined): boolean {
  const info = KINDS[kind];
  // A kind with no actionable statuses (models) can be acted on whenever it exists; an endpoint config's status
  // is its adapter's (in use by an endpoint or not), since the API gives it none.
  if (info.actionableStatuses.length === 0) return true;
  return status !== undefined && info.actionableStatuses.includes(status);
}

/**
 * Whether Describe* lags the event: the event reports an actionable status and Describe* still shows one
 * that comes before it (a notebook's InService event, described as Pending). Retried, never dropped.
 */
export function isLagging(kind: ResourceKind, reportedStatus: string | undefined, describedStatus: string | undefined): boolean {
  if (reportedStatus === undefined || describedStatus === undefined) return false;
  return isActionable(kind, reportedStatus) && KINDS[kind].precedingStatuses.includes(describedStatus);
}

/**
 * Picks what to do with a described resource. Any enforced finding means the kind's action; reported
 * findings alone mean a notice; exempt findings alone mean nothing but the log and the exemption notice.
 * A non-actionable status is normal (duplicates, late events): nothing is done. What was already done
 * for this resource is the ledger's business (lambda/ledger/records.ts), not this function's.
 */
export function decide(input: DecisionInput): Decision {
  const enforced = input.findings.some((finding) => finding.mode === 'enforce');
  const reported = input.findings.some((finding) => finding.mode === 'report');
  if (!enforced && !reported) return input.findings.length === 0 ? { type: 'compliant' } : { type: 'exempt' };
  const action = KINDS[input.kind].action;
  if (!isActionable(input.kind, input.status)) return { type: 'not-actionable', status: input.status ?? 'unknown' };
  return enforced ? { type: 'remediate', action } : { type: 'report', action };
}

/** The findings a notice and the guard's tags are about: the ones not exempt. */
export function actionableFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.mode !== 'exempt');
}

export type { ActionResult } from '../kinds/types';
