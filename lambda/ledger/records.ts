/**
 * What the ledger holds, and the pure rules over it: keys, leases, and what an invocation must do given
 * the records it found. No I/O here: lambda/aws/ledger.ts reads and writes these shapes.
 */
import type { ResourceKind } from '../kinds/registry';
import type { Action } from '../kinds/types';
import { LEDGER_RETENTION_DAYS } from './schema';

/** Which resource a record is about. Account and region make one table serve many accounts. */
export interface ResourceRef {
  readonly account: string;
  readonly region: string;
  readonly kind: ResourceKind;
  readonly name: string;
}

/** A notice as it will be (or was) published: kept so that a later run can send exactly this text. */
export interface StoredNotice {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** `pending`: owed and not yet published; `sent`: published; `none`: the outcome deserves no notice. */
export type NoticeDelivery = 'pending' | 'sent' | 'none';

/** What came of the Stop or Delete call, as the ledger keeps it. */
export type RecordedResult =
  | { readonly type: 'done'; readonly status?: string; readonly byEarlierAttempt?: boolean }
  | { readonly type: 'wrong-state'; readonly status?: string }
  | { readonly type: 'gone' }
  | { readonly type: 'denied'; readonly errorName: string; readonly permission: string; readonly message?: string }
  | { readonly type: 'reported' }
  | { readonly type: 'abandoned'; readonly reason: string; readonly attempts: number };

/** What a remediation record is for: the kind's action, or a report-only notice. */
export type RecordAction = Action | 'report';

interface Keyed {
  readonly pk: string;
  readonly sk: string;
  /** ISO time the record was created. */
  readonly at: string;
  /** Epoch seconds after which DynamoDB may remove the record. */
  readonly expiresAt: number;
  /** Who may work on the record now, and until when (epoch ms). */
  readonly holder: string;
  readonly leaseUntil: number;
  readonly notice?: NoticeDelivery;
  readonly storedNotice?: StoredNotice;
  readonly noticePending?: string;
  readonly messageId?: string;
  readonly sentAt?: string;
}

/** One remediation (or report) of one resource in one episode: the guard's memory of what it did. */
export interface RemediationRecord extends Keyed {
  readonly type: 'remediation';
  readonly ref: ResourceRef;
  readonly arn: string;
  /** Identifies the resource's state the decision was made on (see episodeOf in the kind's access). */
  readonly episode: string;
  readonly action: RecordAction;
  readonly controls: readonly string[];
  readonly owner?: string;
  /** The UTC day of `at`, for the history index. */
  readonly day: string;
  /** How many times the Stop or Delete API was called for this record. */
  readonly actAttempts: number;
  readonly result?: RecordedResult;
  readonly resultAt?: string;
  /** The invocation that created the record (an event id, a sweep id). */
  readonly correlationId: string;
}

/** Any other notice the guard owes exactly once: an honoured exemption, an operator alert, a sweep summary. */
export interface NoticeRecord extends Keyed {
  readonly type: 'notice';
  /** What the notice is about, for logs and history (`exemption`, `switch`, `sweep`). */
  readonly topic: string;
}

/** When the guard first saw a resource's tag exemption: the clock of `tagExemptions.maxDays`. */
export interface ExemptionSighting {
  readonly pk: string;
  readonly sk: string;
  readonly type: 'tag-exemption';
  readonly firstSeen: string;
}

export type LedgerRecord = RemediationRecord | NoticeRecord;

/**
 * How long one invocation holds a record before another may take it over: the responders' timeout (60 s,
 * a test holds lib/ to it). A live holder cannot outlast its lease, and Lambda's first retry of a failed
 * invocation comes at least a minute after it ended, so the retry finds the lease run out whatever its
 * request id. Every invocation is its own holder, so two deliveries of one event never share a lease.
 */
export const LEASE_MS = 60 * 1000;

const DAY_MS = 24 * 3600 * 1000;

export function expiresAt(now: Date): number {
  return Math.floor((now.getTime() + LEDGER_RETENTION_DAYS * DAY_MS) / 1000);
}

/** Names are case-insensitive in SageMaker and lower-cased in ARNs, so the key uses the lower-cased name. */
export function resourcePk(ref: ResourceRef): string {
  return `resource#${ref.account}#${ref.region}#${ref.kind}#${ref.name.toLowerCase()}`;
}

export const EPISODE_PREFIX = 'episode#';

/** Episodes sort by time (ISO strings), so the newest records of a resource come first in a reverse query. */
export function remediationSk(episode: string, action: RecordAction): string {
  return `${EPISODE_PREFIX}${episode}#${action}`;
}

export const TAG_EXEMPTION_SK = 'tag-exemption';

/**
 * When the guard began enforcing: written once (at the first deploy whose policy enforces anything, or
 * else by the first run that would act), never changed, never expired. What existed before it is the
 * existing estate: reported, not acted on, unless the policy's `sweep.actOnExisting` is true.
 */
export interface EnforcementRecord {
  readonly pk: string;
  readonly sk: string;
  readonly type: 'enforcement-began';
  /** ISO time enforcement began. */
  readonly since: string;
  /** Who recorded it: `deploy` (the stack's custom resource) or the run that first would have acted. */
  readonly by: string;
}

export const ENFORCEMENT_KEY = { pk: 'guard#enforcement', sk: 'began' } as const;

/**
 * Whether a resource is part of the existing estate: its episode (a job's or model's creation, a
 * notebook's last start or update) began before enforcement did. An episode whose time is unknown is
 * not: without proof that it is old, the guard acts as the policy says.
 */
export function isExistingEstate(episode: string, enforcementSince: Date): boolean {
  // An episode is a time, optionally followed by '#' and what else tells episodes apart (an endpoint's config).
  const began = Date.parse(episode.split('#')[0] ?? '');
  return !Number.isNaN(began) && began < enforcementSince.getTime();
}

/** Whether another invocation holds the record right now. */
export function heldByOther(record: Keyed, holder: string, now: Date): boolean {
  return record.holder !== holder && record.leaseUntil > now.getTime();
}

/** Whether the Stop or Delete may have been called without its result being recorded (a crash, a time-out). */
export function inDoubt(record: RemediationRecord): boolean {
  return record.action !== 'report' && record.result === undefined;
}

/**
 * What the ledger says an invocation must do before (or instead of) a fresh decision, given the
 * resource's recent records (newest first), the record a fresh decision would create, and who is asking.
 * - `resume`: an earlier attempt called (or was about to call) the action and never recorded what came of
 *   it: finish that record rather than start another.
 * - `resend`: this episode's notice is owed and nobody is sending it: send the stored notice (also when
 *   nothing is to be done now and an earlier notice of the resource is owed; a new remediation goes first
 *   otherwise, and the resend function sends the older notice).
 * - `retry-denied`: the action was denied before; try it again (the denial may have been lifted).
 * - `retry-refused`: the action found the resource in a state where it could not be applied but that the kind
 *   can still be acted on in (`canRetry`: an endpoint config an endpoint had taken between the Describe and the
 *   Delete); try it again, or the episode would stay told-but-untouched for ever once the state passed.
 * - `busy`: another invocation holds the record: it will finish; do nothing.
 * - `done`: this episode was already handled and told: do nothing (a duplicate or late event).
 * - `fresh`: nothing recorded; go on with the decision.
 */
export type LedgerPlan =
  | { readonly type: 'resume'; readonly record: RemediationRecord }
  | { readonly type: 'resend'; readonly record: RemediationRecord }
  | { readonly type: 'retry-denied'; readonly record: RemediationRecord }
  | { readonly type: 'retry-refused'; readonly record: RemediationRecord }
  | { readonly type: 'busy'; readonly record: RemediationRecord }
  | { readonly type: 'done'; readonly record: RemediationRecord }
  | { readonly type: 'fresh' };

export function planFromLedger(
  records: readonly RemediationRecord[],
  intended: { readonly sk: string } | undefined,
  holder: string,
  now: Date,
  canRetry: (status: string) => boolean = () => false,
): LedgerPlan {
  const doubtful = records.find(inDoubt);
  if (doubtful !== undefined) return heldByOther(doubtful, holder, now) ? { type: 'busy', record: doubtful } : { type: 'resume', record: doubtful };
  if (intended === undefined) {
    // Nothing to do now (the resource stopped, or is compliant): a notice still owed for it goes out.
    const owed = records.find((record) => record.notice === 'pending');
    if (owed === undefined) return { type: 'fresh' };
    return heldByOther(owed, holder, now) ? { type: 'busy', record: owed } : { type: 'resend', record: owed };
  }
  const existing = records.find((record) => record.sk === intended.sk);
  if (existing === undefined) return { type: 'fresh' };
  if (existing.notice === 'pending') return heldByOther(existing, holder, now) ? { type: 'busy', record: existing } : { type: 'resend', record: existing };
  if (existing.result?.type === 'denied') return heldByOther(existing, holder, now) ? { type: 'busy', record: existing } : { type: 'retry-denied', record: existing };
  if (existing.result?.type === 'wrong-state' && existing.result.status !== undefined && canRetry(existing.result.status)) {
    return heldByOther(existing, holder, now) ? { type: 'busy', record: existing } : { type: 'retry-refused', record: existing };
  }
  return { type: 'done', record: existing };
}

/** The UTC calendar day of a time, YYYY-MM-DD. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}
