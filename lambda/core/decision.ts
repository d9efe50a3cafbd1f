import type { Finding } from '../controls/types';
import { KINDS, type Action, type ResourceKind } from './kinds';
import type { NoticeState } from './tags';

export interface DecisionInput {
  readonly kind: ResourceKind;
  /** Status from Describe*; undefined for models, which have none. */
  readonly status: string | undefined;
  /** Failed controls, each in its effective mode (enforce, report or exempt). */
  readonly findings: readonly Finding[];
  /** What the guard's own tags on the resource say about an earlier notice. */
  readonly noticeState: NoticeState | undefined;
}

export type Decision =
  | { readonly type: 'compliant' }
  | { readonly type: 'exempt' }
  | { readonly type: 'remediate'; readonly action: Action }
  | { readonly type: 'report'; readonly action: Action }
  | { readonly type: 'resend-notice'; readonly action: Action; readonly status: string }
  | { readonly type: 'not-actionable'; readonly status: string };

/** Whether the kind's action is valid in this status (a model that was described still exists). */
export function isActionable(kind: ResourceKind, status: string | undefined): boolean {
  const info = KINDS[kind];
  if (info.statusField === undefined) return true;
  return status !== undefined && info.actionableStatuses.includes(status);
}

/**
 * Picks what to do with a described resource. Any enforced finding means the kind's action; reported
 * findings alone mean a notice; exempt findings alone mean nothing but the log. A non-actionable status
 * is normal (duplicates, late events): nothing is done, unless the guard's own tag says an earlier attempt
 * acted but its notice never went out, in which case the notice is sent again (notices may repeat, never vanish).
 */
export function decide(input: DecisionInput): Decision {
  const enforced = input.findings.some((finding) => finding.mode === 'enforce');
  const reported = input.findings.some((finding) => finding.mode === 'report');
  if (!enforced && !reported) return input.findings.length === 0 ? { type: 'compliant' } : { type: 'exempt' };
  const action = KINDS[input.kind].action;
  if (!isActionable(input.kind, input.status)) {
    const status = input.status ?? 'unknown';
    return input.noticeState === 'pending' ? { type: 'resend-notice', action, status } : { type: 'not-actionable', status };
  }
  return enforced ? { type: 'remediate', action } : { type: 'report', action };
}

/** The findings a notice and the guard's tags are about: the ones not exempt. */
export function actionableFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.mode !== 'exempt');
}

/** What came of calling the Stop or Delete API. */
export type ActionResult =
  | { readonly type: 'done' }
  | { readonly type: 'wrong-state'; readonly status: string | undefined }
  | { readonly type: 'gone' };

/** States that mean someone (a duplicate event, a person) is already stopping the resource. */
const ALREADY_STOPPING = new Set(['Stopping', 'Stopped']);

/** Whether the outcome of an action deserves a notice: exactly one notice per remediation. */
export function noticeAfterAction(result: ActionResult): boolean {
  switch (result.type) {
    case 'done':
      return true;
    case 'gone':
      return false;
    case 'wrong-state':
      return result.status === undefined || !ALREADY_STOPPING.has(result.status);
  }
}
