/**
 * What one resource's run through the pipeline carries, and the two ways a step runs: one whose failure
 * fails the invocation (so Lambda retries it), and one whose failure is only logged (tags).
 */
import { classifyError, errorName } from '../aws/errors';
import type { Finding } from '../controls/types';
import type { ResourceAccess, ResourceByKind, ResourceKind } from '../kinds/registry';
import type { Described } from '../kinds/types';
import type { Exemptions } from '../core/modes';
import type { GuardSettings } from '../core/settings';
import type { Ledger } from '../aws/ledger';
import type { MemberAccounts } from '../aws/accounts';
import type { ResourceRef } from '../ledger/records';
import { logger } from '../powertools';
import { countMetric } from './telemetry';

export interface Runtime {
  readonly settings: GuardSettings;
  readonly topicArn: string;
  /** The function's region, used when an ARN does not say. */
  readonly region: string;
  /** The function's account, used when no ARN says (a resource already gone). */
  readonly account?: string;
  /** Name of the SSM parameter holding the account-wide switch; without one the policy alone decides. */
  readonly switchParameter?: string;
  /** The guard's own state. Required to notify; the audit command, which never notifies, runs without. */
  readonly ledger?: Ledger;
  /**
   * When enforcement began, for a run without the ledger (the audit command reads it from the deployed
   * guard's ledger): resources older than it are the existing estate. With the ledger, the ledger says.
   */
  readonly enforcementSince?: Date;
  /** The clock exemptions expire by and records are stamped with. */
  readonly now: () => Date;
  /** Waits between Describe* retries of a lagging status (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How the run reaches an account and region other than the function's own: an organization deployment's hub
   * assumes the member role. A single-account guard has none: its own clients serve every event.
   */
  readonly accounts?: MemberAccounts;
}

/**
 * What the pipeline may do beyond evaluating. The responders and the sweep act and notify through the
 * ledger; the audit command only evaluates (or acts, with --remediate, but never notifies).
 */
export interface HandleOptions {
  readonly act: boolean;
  readonly notify: boolean;
}

export interface Context<K extends ResourceKind> {
  readonly kind: K;
  readonly name: string;
  readonly ref: ResourceRef;
  readonly access: ResourceAccess<K>;
  /** What Describe* said; for a resource already gone, what the ledger remembers of it. */
  readonly described: Pick<Described<ResourceByKind[K]>, 'arn' | 'status' | 'episode'>;
  /** False when the resource no longer exists. */
  readonly present: boolean;
  readonly findings: readonly Finding[];
  readonly runtime: Runtime;
  /** The owner tag's value, cleaned of control characters. */
  readonly owner: string | undefined;
  readonly exemptions: Exemptions;
  readonly options: HandleOptions;
  readonly correlationId: string;
  /**
   * Who this run is, for the ledger's leases: unique per invocation (the event id and Lambda's request id,
   * which Lambda's own retries keep and a duplicate delivery of the same event does not), so two deliveries
   * of one event never both take a record.
   */
  readonly holder: string;
  /** The stage the pipeline is in, for the decision line of a failed run. */
  readonly progress: Progress;
  /** Facts for the notice from reads of other resources (the kind adapter's `notes`). */
  readonly notes?: readonly string[];
}

/** Where a run is: the step helpers update it, and the failed run's decision line names the stage. */
export interface Progress {
  readonly kind: ResourceKind;
  stage: string;
}

/** Runs an AWS call whose failure must fail the invocation (so it is retried), counting and logging it. */
export async function step<T>(context: Progress, stage: string, call: () => Promise<T>): Promise<T> {
  context.stage = stage;
  try {
    return await call();
  } catch (error) {
    countMetric('Failures', { Kind: context.kind, Stage: stage });
    logger.error(`Failed to ${stage}; the invocation fails so that Lambda retries it`, {
      errorClass: classifyError(error).type,
      errorName: errorName(error),
      error: error as Error,
    });
    throw error;
  }
}

/** Runs an AWS call the remediation does not depend on (tags): a failure is logged and counted only. */
export async function bestEffort(context: Progress, stage: string, call: () => Promise<unknown>): Promise<boolean> {
  context.stage = stage;
  try {
    await call();
    return true;
  } catch (error) {
    countMetric('Failures', { Kind: context.kind, Stage: stage });
    logger.warn(`Could not ${stage}; going on`, { errorClass: classifyError(error).type, errorName: errorName(error), error: error as Error });
    return false;
  }
}
