/**
 * Notices that cannot be lost: every notice is first stored in the ledger as owed, then published, then
 * marked sent. A notice whose publish fails stays owed (the ledger's outbox) and is published later by
 * a retry of the same invocation, by another copy of the event, or by the resend function, which drains
 * the outbox every few minutes; the lease on the record keeps two of them from sending it twice.
 */
import type { Ledger, LedgerKey } from '../aws/ledger';
import { publishNotice } from '../aws/sns';
import { errorName } from '../aws/errors';
import { buildInDoubtNotice } from '../core/operator-notice';
import { expiresAt, inDoubt, LEASE_MS, type LedgerRecord, type RemediationRecord, type NoticeRecord, type StoredNotice } from '../ledger/records';
import { NOTICE_PENDING } from '../ledger/schema';
import { ALARM_METRICS, countAlarmMetric, countMetric } from './telemetry';
import { logger } from '../powertools';

/** Publishes a stored notice and marks it sent. A failed publish is counted (it alarms) and thrown. */
export async function publishStored(ledger: Ledger, topicArn: string, key: LedgerKey, notice: StoredNotice, now: Date, holder: string): Promise<string | undefined> {
  let messageId: string | undefined;
  try {
    messageId = await publishNotice(topicArn, notice);
  } catch (error) {
    countAlarmMetric(ALARM_METRICS.noticeFailures);
    logger.error('Could not publish a notice; it stays owed in the ledger and is sent again', { key, subject: notice.subject, errorName: errorName(error), error: error as Error });
    // Whoever tries next (a retry, a copy of the event, the resend function) may send it at once.
    await ledger.release(key, holder).catch((releaseError: unknown) => {
      logger.warn('Could not release the record; its lease runs out by itself', { key, error: releaseError as Error });
    });
    throw error;
  }
  countMetric('Notices', { Topic: (notice.attributes as Partial<Record<string, string>>).kind ?? 'unknown' });
  logger.info('Notice published', { messageId, subject: notice.subject, attributes: notice.attributes });
  // A failure here leaves the notice owed although it went out: the one way a notice can repeat.
  await ledger.markSent(key, messageId, now);
  return messageId;
}

export type DeliveryResult = 'sent' | 'already-sent' | 'busy';

/** A notice record owed once: created with its notice pending, published, marked sent. */
export function noticeRecord(key: LedgerKey, topic: string, notice: StoredNotice, holder: string, now: Date): NoticeRecord {
  return {
    ...key,
    type: 'notice',
    topic,
    at: now.toISOString(),
    expiresAt: expiresAt(now),
    holder,
    leaseUntil: now.getTime() + LEASE_MS,
    notice: 'pending',
    storedNotice: notice,
    noticePending: NOTICE_PENDING,
  };
}

/**
 * Sends the record's notice exactly once across every invocation that tries: the first to create the
 * record sends it; a later one sends it only if it is still owed and nobody holds the record.
 */
export async function deliverOnce(ledger: Ledger, topicArn: string, record: LedgerRecord, holder: string, now: Date): Promise<DeliveryResult> {
  const key = { pk: record.pk, sk: record.sk };
  let notice = record.storedNotice;
  if (!(await ledger.create(record))) {
    const existing = await ledger.get(key);
    if (existing?.notice !== 'pending') return 'already-sent';
    const held = await ledger.acquire(key, holder, now);
    if (held === undefined) return 'busy';
    // Another invocation may have sent it between the read and the lease.
    if (held.notice !== 'pending') return 'already-sent';
    notice = held.storedNotice;
  }
  if (notice === undefined) return 'already-sent';
  await publishStored(ledger, topicArn, key, notice, now, holder);
  return 'sent';
}

/**
 * How long a claimed remediation may stay without a result before the operators are told its outcome is
 * unknown: past Lambda's retries of the invocation (about 3 minutes) with room to spare.
 */
export const IN_DOUBT_GRACE_MS = 30 * 60 * 1000;

/** Tells the operators that a remediation's outcome was never recorded (the invocation and its retries died). */
async function tellInDoubt(ledger: Ledger, topicArn: string, record: RemediationRecord, holder: string, now: Date): Promise<void> {
  const key = { pk: record.pk, sk: record.sk };
  const notice = buildInDoubtNotice(record);
  let messageId: string | undefined;
  try {
    messageId = await publishNotice(topicArn, notice);
  } catch (error) {
    countAlarmMetric(ALARM_METRICS.noticeFailures);
    await ledger.release(key, holder).catch(() => undefined);
    throw error;
  }
  logger.warn('Told the operators a remediation outcome is unknown', { key, attempts: record.actAttempts, messageId });
  await ledger.markDoubtTold(key, holder, messageId, now);
}

export interface OutboxResult {
  readonly sent: number;
  readonly failed: number;
  /** Held by another invocation that is sending them now. */
  readonly busy: number;
}

/**
 * Sends every owed notice in the ledger, oldest first. Failures are counted and left owed; the run goes
 * on with the next one. `shouldStop` ends the run early (time is running out).
 */
export async function drainOutbox(ledger: Ledger, topicArn: string, holder: string, now: () => Date, shouldStop: () => boolean = () => false): Promise<OutboxResult> {
  let sent = 0;
  let failed = 0;
  let busy = 0;
  for await (const page of ledger.pendingNotices()) {
    for (const record of page) {
      if (shouldStop()) return { sent, failed, busy };
      const doubtful = record.type === 'remediation' && inDoubt(record);
      // A claim younger than Lambda's retry window is still being worked on (or will be, by a retry).
      if (doubtful && now().getTime() - Date.parse(record.at) < IN_DOUBT_GRACE_MS) continue;
      const key = { pk: record.pk, sk: record.sk };
      const held = await ledger.acquire(key, holder, now());
      if (held === undefined) {
        busy += 1;
        continue;
      }
      try {
        if (held.type === 'remediation' && inDoubt(held)) {
          await tellInDoubt(ledger, topicArn, held, holder, now());
          sent += 1;
          continue;
        }
        if (held.notice !== 'pending' || held.storedNotice === undefined) continue;
        await publishStored(ledger, topicArn, key, held.storedNotice, now(), holder);
        sent += 1;
      } catch {
        failed += 1;
      }
    }
  }
  return { sent, failed, busy };
}
