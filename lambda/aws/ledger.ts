import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import {
  dayOf,
  ENFORCEMENT_KEY,
  EPISODE_PREFIX,
  LEASE_MS,
  resourcePk,
  TAG_EXEMPTION_SK,
  type EnforcementRecord,
  type ExemptionSighting,
  type LedgerRecord,
  type NoticeDelivery,
  type RecordedResult,
  type RemediationRecord,
  type ResourceRef,
  type StoredNotice,
} from '../ledger/records';
import { LEDGER, LEDGER_RETENTION_DAYS, NOTICE_PENDING } from '../ledger/schema';
import { RETRY } from './clients';

/** The key of one ledger record. */
export interface LedgerKey {
  readonly pk: string;
  readonly sk: string;
}

/** A conditional write lost to another writer: the caller re-reads and decides again. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function documentClient(client: DynamoDBClient = new DynamoDBClient(RETRY)): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The ledger table: conditional writes only (Powertools' idempotency utility keys on one event's payload,
 * but the copies of one state change are different events, so the key here is the resource and its
 * episode). Every write that works on a record requires the caller to hold its lease.
 */
export class Ledger {
  /** When enforcement began, once read: it never changes, so one read per container is enough. */
  private enforcementSince?: Date;

  constructor(
    readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** The resource's remediation records, newest episode first (strongly consistent). */
  async recentRemediations(ref: ResourceRef, limit = 10): Promise<RemediationRecord[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': LEDGER.partitionKey, '#sk': LEDGER.sortKey },
        ExpressionAttributeValues: { ':pk': resourcePk(ref), ':prefix': EPISODE_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (result.Items ?? []) as RemediationRecord[];
  }

  async get<T extends LedgerRecord>(key: LedgerKey): Promise<T | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { ...key }, ConsistentRead: true }));
    return result.Item as T | undefined;
  }

  /** Creates the record unless one with its key exists. False means another invocation got there first. */
  async create(record: LedgerRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': LEDGER.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Takes the record's lease if it is this holder's or has expired; the record as it now is, or undefined if another holds it. */
  async acquire<T extends LedgerRecord>(key: LedgerKey, holder: string, now: Date): Promise<T | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { ...key },
          UpdateExpression: 'SET holder = :holder, leaseUntil = :until',
          ConditionExpression: 'attribute_exists(#pk) AND (holder = :holder OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#pk': LEDGER.partitionKey },
          ExpressionAttributeValues: { ':holder': holder, ':until': now.getTime() + LEASE_MS, ':now': now.getTime() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as T | undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Counts an attempt at the action before it is made, so a retry after a crash knows the call may have happened. */
  async countAttempt(key: LedgerKey, holder: string, by = 1): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { ...key },
        UpdateExpression: 'ADD actAttempts :one',
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':one': by, ':holder': holder },
      }),
    );
  }

  /**
   * Records the action's real result and the notice it owes (kept with its text so that a later run can
   * send exactly it), or `none`; `keep` leaves the notice as it was (a repeated denial after the notice went out).
   */
  async recordResult(key: LedgerKey, holder: string, result: RecordedResult, at: Date, notice: StoredNotice | 'none' | 'keep'): Promise<void> {
    const set: Record<string, NativeAttributeValue> = { result, resultAt: at.toISOString() };
    const remove: string[] = [];
    if (notice === 'none' || notice === 'keep') {
      // Nothing more to do on the record: release it.
      set.leaseUntil = 0;
    }
    if (notice === 'none') {
      set.notice = 'none' satisfies NoticeDelivery;
      remove.push('noticePending');
    } else if (notice !== 'keep') {
      Object.assign(set, { notice: 'pending' satisfies NoticeDelivery, storedNotice: notice, noticePending: NOTICE_PENDING });
    }
    await this.update(key, holder, set, remove);
  }

  /** SET (and REMOVE) attributes of a record this holder holds. */
  private async update(key: LedgerKey, holder: string, set: Readonly<Record<string, NativeAttributeValue>>, remove: readonly string[] = []): Promise<void> {
    const names = Object.keys(set);
    const removal = remove.length > 0 ? ` REMOVE ${remove.map((_name, index) => `#r${index}`).join(', ')}` : '';
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { ...key },
        UpdateExpression: `SET ${names.map((_name, index) => `#n${index} = :v${index}`).join(', ')}${removal}`,
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeNames: {
          ...Object.fromEntries(names.map((name, index) => [`#n${index}`, name])),
          ...Object.fromEntries(remove.map((name, index) => [`#r${index}`, name])),
        },
        ExpressionAttributeValues: { ...Object.fromEntries(names.map((name, index) => [`:v${index}`, set[name]])), ':holder': holder },
      }),
    );
  }

  /**
   * Gives the record up (its publish failed): its state is consistent, so the next run, a copy of the
   * event or the resend function may take it at once. Only the holder can release it.
   */
  async release(key: LedgerKey, holder: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { ...key },
          UpdateExpression: 'SET leaseUntil = :released',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':released': 0, ':holder': holder },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The operators were told that a record's outcome is unknown: it leaves the outbox, but stays in doubt,
   * so the next event or sweep that finds the resource still finishes it.
   */
  async markDoubtTold(key: LedgerKey, holder: string, messageId: string | undefined, at: Date): Promise<void> {
    await this.update(key, holder, { doubtToldAt: at.toISOString(), doubtMessageId: messageId ?? 'unknown', leaseUntil: 0 }, ['noticePending']);
  }

  /** The notice went out: it leaves the outbox. */
  async markSent(key: LedgerKey, messageId: string | undefined, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { ...key },
        UpdateExpression: 'SET notice = :sent, sentAt = :at, messageId = :id, leaseUntil = :released REMOVE noticePending',
        ExpressionAttributeValues: { ':sent': 'sent', ':at': at.toISOString(), ':id': messageId ?? 'unknown', ':released': 0 },
      }),
    );
  }

  /** Records whose notice is owed, oldest first, a page at a time. */
  pendingNotices(pageSize = 100): AsyncGenerator<LedgerRecord[]> {
    const index = LEDGER.pendingIndex;
    return this.indexPages<LedgerRecord>(index.name, index.partitionKey, NOTICE_PENDING, pageSize);
  }

  /** Remediation records of one UTC day (YYYY-MM-DD), oldest first. */
  recordsOfDay(day: string, pageSize = 100): AsyncGenerator<RemediationRecord[]> {
    const index = LEDGER.historyIndex;
    return this.indexPages<RemediationRecord>(index.name, index.partitionKey, day, pageSize);
  }

  /** Every item of one partition of an index, in sort-key order, a page at a time. */
  private async *indexPages<T>(indexName: string, partitionKey: string, value: string, pageSize: number): AsyncGenerator<T[]> {
    let start: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#p = :value',
          ExpressionAttributeNames: { '#p': partitionKey },
          ExpressionAttributeValues: { ':value': value },
          Limit: pageSize,
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
      yield (page.Items ?? []) as T[];
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /**
   * When the guard first saw a tag exemption on the resource: recorded on first sight and never moved, so
   * removing and re-adding the tag does not restart the clock.
   */
  async tagExemptionFirstSeen(ref: ResourceRef, now: Date): Promise<Date> {
    const key = { pk: resourcePk(ref), sk: TAG_EXEMPTION_SK };
    // No TTL: a sighting that expired would restart the maxDays clock of a resource that keeps its tag.
    const sighting: ExemptionSighting = { ...key, type: 'tag-exemption', firstSeen: now.toISOString() };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sighting },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': LEDGER.partitionKey },
        }),
      );
      return now;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    const firstSeen = (existing.Item as ExemptionSighting | undefined)?.firstSeen;
    return firstSeen !== undefined ? new Date(firstSeen) : now;
  }

  /**
   * When enforcement began, or undefined when no record says so yet (read-only: the audit command's view).
   * @throws when a record exists but its time cannot be read: guessing would spare everything, or nothing.
   */
  async enforcementBegan(): Promise<Date | undefined> {
    if (this.enforcementSince !== undefined) return this.enforcementSince;
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { ...ENFORCEMENT_KEY }, ConsistentRead: true }));
    const found = result.Item as Partial<EnforcementRecord> | undefined;
    if (found === undefined) return undefined;
    const since = typeof found.since === 'string' ? new Date(found.since) : undefined;
    if (since === undefined || Number.isNaN(since.getTime())) {
      throw new Error(
        `the ledger ${this.tableName} holds an enforcement record (${ENFORCEMENT_KEY.pk} / ${ENFORCEMENT_KEY.sk}) whose "since" is not a time (${JSON.stringify(found.since)}); restore it from point-in-time recovery`,
      );
    }
    this.enforcementSince = since;
    return since;
  }

  /**
   * When enforcement began: the recorded time, or `now` recorded by `by` when there is none yet (a
   * conditional write: of two first runs, one records and both read the same time).
   */
  async enforcementBeganOrNow(now: Date, by: string): Promise<Date> {
    const known = await this.enforcementBegan();
    if (known !== undefined) return known;
    const record: EnforcementRecord = { ...ENFORCEMENT_KEY, type: 'enforcement-began', since: now.toISOString(), by };
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...record }, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': LEDGER.partitionKey } }),
      );
      this.enforcementSince = now;
      return now;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const written = await this.enforcementBegan();
    if (written === undefined) throw new Error(`the ledger ${this.tableName} refused the enforcement record as existing, yet holds none`);
    return written;
  }

  /**
   * When the guard first stopped or deleted something (or tried to), as far back as the ledger keeps
   * (`days`): the oldest remediation record that is not a report. A ledger written by a version without
   * the enforcement record proves enforcement began no later than that. Reads one day at a time, oldest
   * first, through the history index; stops at the first day with one.
   */
  async earliestAction(now: Date, days: number = LEDGER_RETENTION_DAYS): Promise<Date | undefined> {
    for (let back = days; back >= 0; back--) {
      const day = dayOf(new Date(now.getTime() - back * 24 * 3600 * 1000));
      for await (const page of this.recordsOfDay(day)) {
        // Only remediation records carry the index's key today; the type test keeps it true if others ever do.
        const acted = page.find((record) => (record as { readonly type?: string }).type === 'remediation' && record.action !== 'report');
        if (acted !== undefined) return new Date(acted.at);
      }
    }
    return undefined;
  }
}
