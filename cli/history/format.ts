/**
 * What `sagemaker-guard history` prints, as pure functions of the ledger's remediation records (the
 * contract is lambda/ledger/records.ts): table rows, NDJSON lines, and the tally behind the summary.
 */
import { inDoubt, type RemediationRecord } from '../../lambda/ledger/records';
import type { PlainTable } from '../table';

/** The result column: what came of the Stop or Delete call. */
export type ResultType = 'done' | 'wrong-state' | 'gone' | 'denied' | 'reported' | 'abandoned' | 'in doubt' | 'no result';

/**
 * `in doubt`: the action was (or was about to be) called and what came of it was never recorded; the
 * responder resumes such a record on the resource's next event. `no result`: a report-only record whose
 * notice was not yet recorded (a report calls nothing, so it is never in doubt).
 */
export function resultType(record: RemediationRecord): ResultType {
  if (record.result !== undefined) return record.result.type;
  return inDoubt(record) ? 'in doubt' : 'no result';
}

/** The result, with what explains it: the status a wrong state was in, the error and permission a denial names. */
export function resultLabel(record: RemediationRecord, separator = ' '): string {
  const result = record.result;
  if (result === undefined) return resultType(record);
  switch (result.type) {
    case 'done':
      return result.byEarlierAttempt === true ? `done${separator}(by an earlier attempt)` : 'done';
    case 'wrong-state':
      return result.status !== undefined ? `wrong-state${separator}(${result.status})` : 'wrong-state';
    case 'denied':
      return `denied${separator}(${result.errorName},${separator}${result.permission})`;
    case 'abandoned':
      return `abandoned${separator}(${result.reason})`;
    case 'gone':
    case 'reported':
      return result.type;
  }
}

/** `-` while no notice decision is recorded. */
export function noticeLabel(record: RemediationRecord): string {
  return record.notice ?? '-';
}

/** The record's time to the second (the ledger keeps milliseconds; the table does not need them). */
export function timeLabel(at: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(at) ? at.replace(/\.\d+Z$/, 'Z') : at;
}

const HEAD = ['time', 'kind', 'name', 'account', 'region', 'controls', 'action', 'result', 'notice'];
/**
 * Widths, padding included: a time to the second; the longest kind, account id, region and action; one
 * control id per line (the longest is 40); the result's parts one per line (the longest permission,
 * sagemaker:StopNotebookInstance, with its parenthesis, is 31); the longest notice state.
 */
const WIDTH = { time: 22, kind: 19, minName: 18, maxName: 65, account: 14, region: 16, controls: 42, action: 8, result: 34, notice: 9 } as const;
/** Names, control ids and results have no spaces worth breaking at: they wrap anywhere, never cut short. */
const WRAP_ANYWHERE = [2, 5, 7];

/** Fixed column widths for `columns`; the name takes what is left (within bounds), wrapping rather than being cut. */
export function historyLayout(columns: number): PlainTable {
  const fixed = WIDTH.time + WIDTH.kind + WIDTH.account + WIDTH.region + WIDTH.controls + WIDTH.action + WIDTH.result + WIDTH.notice;
  const name = Math.min(WIDTH.maxName, Math.max(WIDTH.minName, columns - 1 - fixed));
  return {
    head: HEAD,
    colWidths: [WIDTH.time, WIDTH.kind, name, WIDTH.account, WIDTH.region, WIDTH.controls, WIDTH.action, WIDTH.result, WIDTH.notice],
    wrapAnywhere: WRAP_ANYWHERE,
  };
}

export function historyRow(record: RemediationRecord): string[] {
  return [
    timeLabel(record.at),
    record.ref.kind,
    record.ref.name,
    record.ref.account,
    record.ref.region,
    record.controls.length > 0 ? record.controls.join('\n') : '-',
    record.action,
    resultLabel(record, '\n'),
    noticeLabel(record),
  ];
}

/** One NDJSON object per record: what the guard did and told, without the lease or the notice's text. */
export function historyJson(record: RemediationRecord): string {
  return JSON.stringify({
    type: 'remediation',
    at: record.at,
    kind: record.ref.kind,
    name: record.ref.name,
    account: record.ref.account,
    region: record.ref.region,
    arn: record.arn,
    owner: record.owner ?? null,
    controls: record.controls,
    action: record.action,
    result: record.result ?? null,
    resultType: resultType(record),
    resultAt: record.resultAt ?? null,
    actAttempts: record.actAttempts,
    notice: record.notice ?? null,
    sentAt: record.sentAt ?? null,
    messageId: record.messageId ?? null,
    episode: record.episode,
    correlationId: record.correlationId,
  });
}

export interface HistorySummary {
  readonly type: 'summary';
  readonly table: string;
  /** The --since time, and the first and last UTC days read. */
  readonly since: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly days: number;
  readonly records: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly results: Readonly<Record<string, number>>;
  readonly notices: Readonly<Record<string, number>>;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counts as records stream by. */
export class HistoryTally {
  private records = 0;
  private readonly actions = new Map<string, number>();
  private readonly results = new Map<string, number>();
  private readonly notices = new Map<string, number>();

  add(record: RemediationRecord): void {
    this.records++;
    count(this.actions, record.action);
    count(this.results, resultType(record));
    count(this.notices, noticeLabel(record) === '-' ? 'not recorded' : noticeLabel(record));
  }

  summary(where: { readonly table: string; readonly since: Date; readonly days: readonly string[] }): HistorySummary {
    return {
      type: 'summary',
      table: where.table,
      since: where.since.toISOString(),
      fromDay: where.days[0] ?? '',
      toDay: where.days.at(-1) ?? '',
      days: where.days.length,
      records: this.records,
      actions: Object.fromEntries(this.actions),
      results: Object.fromEntries(this.results),
      notices: Object.fromEntries(this.notices),
    };
  }
}

function counts(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${value} ${key}`)
    .join(', ');
}

/** "3 records from 2026-11-15 to 2026-11-22 (8 days) in TABLE: 2 stop, 1 delete; results: ...; notices: ..." */
export function historySummaryLine(summary: HistorySummary): string {
  const span = `from ${summary.fromDay} to ${summary.toDay} (${summary.days} day${summary.days === 1 ? '' : 's'}) in ${summary.table}`;
  if (summary.records === 0) return `No records ${span}.`;
  return (
    `${summary.records} record${summary.records === 1 ? '' : 's'} ${span}: ${counts(summary.actions)}; ` +
    `results: ${counts(summary.results)}; notices: ${counts(summary.notices)}`
  );
}

/** Every UTC day (YYYY-MM-DD) from `since`'s to `now`'s, in order. */
export function daysBetween(since: Date, now: Date): string[] {
  const days: string[] = [];
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let day = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()); day <= last; day += 24 * 3600 * 1000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}
