/** What `sagemaker-guard redrive` prints, as pure functions of what became of each message. */
import type { PlainTable } from '../table';
import { eventLabel, type Envelope } from './envelope';

export type OutcomeResult =
  | { readonly type: 'would-replay' }
  | { readonly type: 'replayed' }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'not-deleted'; readonly error: string }
  | { readonly type: 'declined' };

/** One message of the run; no `result` means it could not be read (the envelope says why). */
export interface Outcome {
  readonly messageId: string;
  readonly envelope: Envelope;
  readonly result?: OutcomeResult;
}

const LABELS: Readonly<Record<OutcomeResult['type'] | 'unreadable', string>> = {
  'would-replay': 'would replay',
  replayed: 'replayed',
  failed: 'failed',
  'not-deleted': 'replayed, not deleted',
  declined: 'not replayed',
  unreadable: 'unreadable',
};

export function outcomeLabel(outcome: Outcome): string {
  return LABELS[outcome.result?.type ?? 'unreadable'];
}

/** Why the message is in the queue, or what went wrong with it now. */
export function detailsOf(outcome: Outcome): string {
  const { envelope, result } = outcome;
  if (!envelope.ok) return envelope.reason;
  if (result?.type === 'failed') return `replay failed: ${result.error}`;
  if (result?.type === 'not-deleted') return `the replay succeeded, then DeleteMessage failed (the message stays): ${result.error}`;
  return `dead-lettered: ${envelope.error}`;
}

const HEAD = ['message', 'outcome', 'function', 'event', 'details'];
/** Widths, padding included: a message id (a UUID), the longest outcome, a function name, a detail-type over an event id. */
const WIDTH = { message: 38, outcome: 14, function: 40, event: 42, minDetails: 30 } as const;

export function redriveLayout(columns: number): PlainTable {
  const fixed = WIDTH.message + WIDTH.outcome + WIDTH.function + WIDTH.event;
  return {
    head: HEAD,
    colWidths: [WIDTH.message, WIDTH.outcome, WIDTH.function, WIDTH.event, Math.max(WIDTH.minDetails, columns - 1 - fixed)],
    wrapAnywhere: [0, 2],
  };
}

export function outcomeRow(outcome: Outcome): string[] {
  const { envelope } = outcome;
  return [
    outcome.messageId,
    outcomeLabel(outcome),
    envelope.ok ? envelope.functionName : '-',
    envelope.ok ? eventLabel(envelope).replace(/ (\S+)$/, '\n$1') : '-',
    detailsOf(outcome),
  ];
}

export interface RedriveCounts {
  readonly total: number;
  readonly replayed: number;
  readonly wouldReplay: number;
  /** Replays that failed, and replays whose message could not then be deleted. */
  readonly failed: number;
  readonly unreadable: number;
  readonly declined: number;
  /** Still in the queue: everything but the replayed (and deleted) messages. */
  readonly left: number;
}

export function countOutcomes(outcomes: readonly Outcome[]): RedriveCounts {
  const count = (type: OutcomeResult['type'] | undefined) => outcomes.filter((outcome) => outcome.result?.type === type).length;
  const replayed = count('replayed');
  return {
    total: outcomes.length,
    replayed,
    wouldReplay: count('would-replay'),
    failed: count('failed') + count('not-deleted'),
    unreadable: count(undefined),
    declined: count('declined'),
    left: outcomes.length - replayed,
  };
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * "Replayed 2, failed 1, unreadable 1; left 2 in the queue." and, one per line, why each one is left
 * (with --dry-run: "Would replay 2, unreadable 1; nothing was changed: 3 messages are in the queue.").
 */
export function redriveSummary(outcomes: readonly Outcome[], run: { readonly dryRun: boolean; readonly incomplete: boolean }): string {
  const counts = countOutcomes(outcomes);
  const stopped = run.incomplete ? ' The run stopped early (see the message above).' : '';
  const head = run.dryRun
    ? `Would replay ${counts.wouldReplay}, unreadable ${counts.unreadable}; nothing was changed: ${plural(counts.total, 'message is', 'messages are')} in the queue.`
    : `Replayed ${counts.replayed}, failed ${counts.failed}, unreadable ${counts.unreadable}` +
      `${counts.declined > 0 ? `, not replayed ${counts.declined}` : ''}; left ${counts.left} in the queue.`;
  const reasons = outcomes
    .filter((outcome) => outcome.result === undefined || outcome.result.type === 'failed' || outcome.result.type === 'not-deleted')
    .map((outcome) => `  ${outcomeLabel(outcome)} ${outcome.messageId}${outcome.envelope.ok ? ` (${outcome.envelope.functionName})` : ''}: ${detailsOf(outcome)}`);
  return [head + stopped, ...reasons].join('\n');
}
