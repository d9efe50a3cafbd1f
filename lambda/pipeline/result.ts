/** What one resource's run through the pipeline came to: the decision, and what a report needs of it. */
import type { Finding } from '../controls/types';
import type { ActionResult } from '../core/decision';
import type { ActiveExemption } from '../core/modes';
import type { ResourceKind } from '../kinds/registry';

export type DecisionType = 'compliant' | 'exempt' | 'remediate' | 'report' | 'not-actionable' | 'gone' | 'part-of' | 'resume' | 'resend-notice' | 'retry-denied' | 'retry-refused' | 'busy' | 'duplicate';

/** What one evaluation came to; returned for tests and logged as the decision line. */
export interface Result {
  readonly decision: DecisionType;
  readonly actionResult?: ActionResult;
  readonly notified: boolean;
}

/** An exemption the guard honoured for this resource (it exempted at least one failing control). */
export interface HonouredExemption {
  readonly source: ActiveExemption['source'];
  readonly scope: string;
  readonly reason: string;
  readonly expires?: string;
  readonly controls: readonly string[];
}

/** One resource's evaluation, with what a report needs (the sweep and the audit command print these). */
export interface Evaluated extends Result {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn?: string;
  readonly status?: string;
  readonly findings: readonly Finding[];
  readonly exemptionsHonoured?: readonly HonouredExemption[];
  /** Which state of the resource was judged (a job's or model's creation time, a notebook's last start): see Described. */
  readonly episode?: string;
  /** The resource's owner tag (settings.ownerTagKey), cleaned to one line; undefined when it has none. */
  readonly owner?: string;
  /**
   * Set when enforced controls failed on a resource of the existing estate (its episode began before
   * enforcement did): it was reported, not acted on.
   */
  readonly existing?: { readonly enforcementSince: string };
  /** Set when another resource answers for this one (a tuning job's training job): see Described.partOf. */
  readonly partOf?: { readonly kind: string; readonly name: string };
}
