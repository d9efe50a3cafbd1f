/**
 * What the audit prints, as pure functions of the sweep's items: table rows (streamed a chunk at a time,
 * with fixed column widths so chunks line up), NDJSON lines, and the running tally behind the summary.
 */
import Table from 'cli-table3';
import { KINDS, PAST_TENSE, type ResourceKind } from '../lambda/core/kinds';
import type { Evaluated } from '../lambda/handlers/respond';
import { isFailure, type SweepFailure, type SweepItem } from '../lambda/sweep/sweep';
import { deniedAction } from './denied';

export { deniedAction };

/** One item of the sweep, and the region it came from. */
export interface RegionItem {
  readonly region: string;
  readonly item: SweepItem;
}

/** A listing that failed: nothing of that kind in that region was checked. */
export interface ListingError {
  readonly region: string;
  readonly kind: ResourceKind;
  /** The IAM action of the call that failed, e.g. sagemaker:ListModels. */
  readonly call: string;
  readonly error: { readonly name: string; readonly class: string; readonly message: string };
}

export function listCall(kind: ResourceKind): string {
  return KINDS[kind].listAction;
}


/** "sagemaker:ListModels was denied (AccessDeniedException): <message>", for stderr. */
export function deniedMessage(call: string | undefined, error: { readonly name: string; readonly message: string }, where: string): string {
  const what = call ?? deniedAction(error.message) ?? 'a call';
  return `${what} was denied (${error.name}) ${where}: ${error.message}`;
}

/** The action vocabulary of the notices' `action` attribute: stopped, deleted, would-stop, would-delete, none; plus not-applied. */
export function actionOf(item: Evaluated): string {
  if (item.decision !== 'remediate') return 'none';
  const action = KINDS[item.kind].action;
  if (item.actionResult === undefined) return `would-${action}`;
  if (item.actionResult.type === 'done') return PAST_TENSE[action];
  return 'not-applied';
}

/** The decision column: what the guard did, or would do when only auditing. */
export function decisionLabel(item: SweepItem): string {
  if (isFailure(item)) return `error (${item.error.class})`;
  switch (item.decision) {
    case 'compliant':
    case 'exempt':
    case 'gone':
      return item.decision;
    case 'report':
      return 'report only';
    case 'not-actionable':
      return `no action (${item.status ?? 'unknown'})`;
    case 'resume':
    case 'resend-notice':
    case 'retry-denied':
    case 'busy':
    case 'duplicate':
      return `${item.decision} (ledger)`;
    case 'remediate': {
      const action = KINDS[item.kind].action;
      const result = item.actionResult;
      if (result === undefined) return `would ${action}`;
      if (result.type === 'done') return PAST_TENSE[action];
      if (result.type === 'gone') return `gone before ${action}`;
      if (result.type === 'denied') return `denied (${result.errorName}: needs ${result.permission})`;
      return `not ${PAST_TENSE[action]} (${result.status ?? 'wrong state'})`;
    }
  }
}

/** The failed-controls column: enforced ids plain, others marked "(report)" or "(exempt)". */
export function controlsLabel(item: SweepItem): string {
  if (isFailure(item)) return `${item.error.name}: ${item.error.message}`;
  return item.findings.map((finding) => (finding.mode === 'enforce' ? finding.controlId : `${finding.controlId} (${finding.mode})`)).join(', ');
}

export interface TableLayout {
  readonly withRegion: boolean;
  readonly colWidths: readonly number[];
}

const BASE_HEAD = ['kind', 'name', 'status', 'decision', 'failed controls'];

/** Column widths, padding included: kind, status and decision fit their longest values; a control id (40) fits its column. */
const WIDTH = { region: 16, kind: 19, status: 12, decision: 24, minName: 18, maxName: 65, minControls: 44 } as const;

/** Fixed column widths for a terminal `columns` wide, so that every chunk of rows lines up; names wrap, never truncate. */
export function tableLayout(columns: number, withRegion: boolean): TableLayout {
  const fixed = (withRegion ? WIDTH.region : 0) + WIDTH.kind + WIDTH.status + WIDTH.decision;
  const rest = columns - 1 - fixed;
  const name = Math.min(WIDTH.maxName, Math.max(WIDTH.minName, Math.floor(rest * 0.3)));
  const controls = Math.max(WIDTH.minControls, rest - name);
  return { withRegion, colWidths: [...(withRegion ? [WIDTH.region] : []), WIDTH.kind, name, WIDTH.status, WIDTH.decision, controls] };
}

export function tableRow(entry: RegionItem, layout: TableLayout): string[] {
  const { item } = entry;
  const status = isFailure(item) ? '-' : (item.status ?? '-');
  return [...(layout.withRegion ? [entry.region] : []), item.kind, item.name, status, decisionLabel(item), controlsLabel(item)];
}

/** Which column holds the name: names have no spaces, so they wrap anywhere rather than being cut. */
function nameColumn(layout: TableLayout): number {
  return layout.withRegion ? 2 : 1;
}

/** Renders rows (and the header, for the first chunk) without borders; columns are `layout.colWidths` wide. */
export function renderTable(rows: readonly string[][], layout: TableLayout, withHeader: boolean): string {
  const table = new Table({
    ...(withHeader ? { head: [...(layout.withRegion ? ['region'] : []), ...BASE_HEAD] } : {}),
    colWidths: [...layout.colWidths],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2, compact: true },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  });
  const name = nameColumn(layout);
  for (const row of rows) table.push(row.map((content, column) => (column === name ? { content, wrapOnWordBoundary: false } : content)));
  // Trailing padding is noise in a file or a pipe.
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** One NDJSON object per resource: what a script needs to act on, without the prose of each control. */
export function jsonLine(entry: RegionItem): string {
  const { region, item } = entry;
  if (isFailure(item)) return JSON.stringify({ type: 'error', region, kind: item.kind, name: item.name, error: item.error, ...deniedField(item) });
  return JSON.stringify({
    type: 'resource',
    region,
    kind: item.kind,
    name: item.name,
    arn: item.arn ?? null,
    status: item.status ?? null,
    decision: item.decision,
    action: actionOf(item),
    actionResult: item.actionResult ?? null,
    failed: item.findings
      .filter((finding) => finding.mode !== 'exempt')
      .map((finding) => ({ control: finding.controlId, severity: finding.severity, mode: finding.mode, observed: finding.observed })),
    exempt: item.findings.filter((finding) => finding.mode === 'exempt').map((finding) => finding.controlId),
  });
}

function deniedField(item: SweepFailure): { deniedAction?: string } {
  if (item.error.class !== 'access-denied') return {};
  const action = deniedAction(item.error.message);
  return action !== undefined ? { deniedAction: action } : {};
}

export function listingErrorJson(error: ListingError): string {
  return JSON.stringify({ type: 'error', region: error.region, kind: error.kind, call: error.call, error: error.error });
}

export interface Summary {
  readonly type: 'summary';
  readonly regions: readonly string[];
  readonly remediate: boolean;
  /** Resources described and evaluated. */
  readonly checked: number;
  readonly compliant: number;
  readonly withViolations: number;
  /** Of withViolations: at least one enforced control failed. */
  readonly enforce: number;
  /** Of withViolations: only reported controls failed. */
  readonly report: number;
  /** Every failed control exempt. */
  readonly exempt: number;
  /** Listed, then gone before it was described: skipped. */
  readonly gone: number;
  /** Resources that could not be evaluated (errors), of which access-denied. */
  readonly failed: number;
  readonly accessDenied: number;
  /** Listings that failed (region, kind). */
  readonly listingErrors: number;
  /** With --remediate: actions taken, by result. */
  readonly stopped: number;
  readonly deleted: number;
  /** Resources failing each control (not exempt), by control id. */
  readonly byControl: Readonly<Record<string, number>>;
}

/** Counts as items stream by: memory grows with the number of controls, never with the number of resources. */
export class Tally {
  private readonly counts = { checked: 0, compliant: 0, enforce: 0, report: 0, exempt: 0, gone: 0, failed: 0, accessDenied: 0, listingErrors: 0, stopped: 0, deleted: 0 };
  private readonly controls = new Map<string, number>();

  constructor(
    private readonly regions: readonly string[],
    private readonly remediate: boolean,
  ) {}

  add(item: SweepItem): void {
    const counts = this.counts;
    if (isFailure(item)) {
      counts.failed++;
      if (item.error.class === 'access-denied') counts.accessDenied++;
      return;
    }
    if (item.decision === 'gone') {
      counts.gone++;
      return;
    }
    counts.checked++;
    const failing = item.findings.filter((finding) => finding.mode !== 'exempt');
    if (failing.some((finding) => finding.mode === 'enforce')) counts.enforce++;
    else if (failing.length > 0) counts.report++;
    else if (item.findings.length > 0) counts.exempt++;
    else counts.compliant++;
    for (const finding of failing) this.controls.set(finding.controlId, (this.controls.get(finding.controlId) ?? 0) + 1);
    if (item.actionResult?.type === 'done') {
      if (KINDS[item.kind].action === 'stop') counts.stopped++;
      else counts.deleted++;
    }
  }

  addListingError(): void {
    this.counts.listingErrors++;
  }

  summary(): Summary {
    const byControl = Object.fromEntries([...this.controls.entries()].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b)));
    return { type: 'summary', regions: this.regions, remediate: this.remediate, ...this.counts, withViolations: this.counts.enforce + this.counts.report, byControl };
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "N resources checked in R region(s): V with violations (X enforce, Y report), E exempt; by control: id=count, ..." */
export function summaryLine(summary: Summary): string {
  const regions = summary.regions.length;
  let line =
    `${plural(summary.checked, 'resource')} checked in ${regions} region${regions === 1 ? '' : 's'}: ` +
    `${summary.withViolations} with violations (${summary.enforce} enforce, ${summary.report} report), ${summary.exempt} exempt`;
  const controls = Object.entries(summary.byControl);
  line += controls.length > 0 ? `; by control: ${controls.map(([id, count]) => `${id}=${count}`).join(', ')}` : '; by control: none';
  if (summary.remediate) line += `; remediated: ${summary.stopped} stopped, ${summary.deleted} deleted`;
  const extra: string[] = [];
  if (summary.gone > 0) extra.push(`${summary.gone} gone before they could be described (skipped)`);
  if (summary.failed > 0) extra.push(`${summary.failed} could not be checked${summary.accessDenied > 0 ? ` (${summary.accessDenied} access denied)` : ''}`);
  if (summary.listingErrors > 0) extra.push(`${plural(summary.listingErrors, 'listing')} failed`);
  if (extra.length > 0) line += `; ${extra.join('; ')}`;
  return line;
}

/** 0 clean, 1 violations found, 2 access or listing errors (which hide what could not be read). */
export function exitCodeFor(summary: Summary): 0 | 1 | 2 {
  if (summary.accessDenied > 0 || summary.listingErrors > 0) return 2;
  return summary.withViolations > 0 ? 1 : 0;
}
