/**
 * What the audit prints, as pure functions of the sweep's items: table rows (streamed a chunk at a time,
 * with fixed column widths so chunks line up), NDJSON lines, CSV rows, and the running tally behind the summary.
 */
import Table from 'cli-table3';
import { SEVERITY_ORDER, type Severity } from '../lambda/controls/types';
import { KINDS, type ResourceKind } from '../lambda/kinds/registry';
import { PAST_TENSE } from '../lambda/kinds/types';
import type { Evaluated } from '../lambda/pipeline/handle';
import { isFailure, type SweepFailure, type SweepItem } from '../lambda/sweep/sweep';
import { deniedAction } from './denied';
import { breakLongWords } from './table';

export { deniedAction };

/** What a resource's status is after --remediate acted on it, read again with Describe*. */
export type StatusAfter =
  | { readonly type: 'read'; readonly status: string | undefined }
  /** Describe* says it does not exist (a deleted model). */
  | { readonly type: 'gone' }
  /** The Describe* after the action failed: the status is not known. */
  | { readonly type: 'unread'; readonly error: string };

/** One item of the sweep, the region it came from, and what the audit learnt of it besides. */
export interface RegionItem {
  readonly region: string;
  /** The account audited (--role-name); resources also name it in their ARN, error rows only here. */
  readonly account?: string;
  readonly item: SweepItem;
  /** Set when --remediate called Stop or Delete on it: its status read again afterwards. */
  readonly after?: StatusAfter;
}

/** The account of a resource, from its ARN (arn:aws:sagemaker:REGION:ACCOUNT:...); undefined without one. */
export function accountOf(item: SweepItem): string | undefined {
  if (isFailure(item)) return undefined;
  const account = item.arn?.split(':')[4];
  return account === undefined || account === '' ? undefined : account;
}

/** The value of its owner tag (the policy's ownerTagKey), as the pipeline read and cleaned it; undefined when it has none. */
export function ownerOf(item: SweepItem): string | undefined {
  return isFailure(item) ? undefined : item.owner;
}

/** The highest severity among the controls it fails (exempt ones aside); undefined when it fails none. */
export function severityOf(item: SweepItem): Severity | undefined {
  if (isFailure(item)) return undefined;
  const failing = new Set(item.findings.filter((finding) => finding.mode !== 'exempt').map((finding) => finding.severity));
  return SEVERITY_ORDER.find((severity) => failing.has(severity));
}

/** The status as the audit last saw it: after the action when --remediate acted, else as described. "gone" when it no longer exists. */
export function statusOf(entry: RegionItem): string | undefined {
  const { item, after } = entry;
  if (isFailure(item)) return undefined;
  if (after === undefined) return item.status;
  switch (after.type) {
    case 'read':
      return after.status;
    case 'gone':
      return 'gone';
    case 'unread':
      return 'unknown';
  }
}

/** A listing that failed: nothing of that kind in that region was checked. */
export interface ListingError {
  readonly region: string;
  readonly account?: string;
  readonly kind: ResourceKind;
  /** The IAM action of the call that failed, e.g. sagemaker:ListModels. */
  readonly call: string;
  readonly error: { readonly name: string; readonly class: string; readonly message: string };
}

/** An account the audit could not enter in a region (--role-name): nothing of it there was checked. */
export interface Unreachable {
  readonly account: string;
  readonly region: string;
  /** The role it tried to assume. */
  readonly roleArn: string;
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
      return item.existing !== undefined ? `existing: no ${KINDS[item.kind].action}` : 'report only';
    case 'not-actionable':
      return `no action (${item.status ?? 'unknown'})`;
    case 'part-of':
      return `part of ${item.partOf?.kind ?? '?'} ${item.partOf?.name ?? '?'}`;
    case 'resume':
    case 'resend-notice':
    case 'retry-denied':
    case 'retry-refused':
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

export type Column = 'account' | 'region' | 'kind' | 'name' | 'owner' | 'status' | 'decision' | 'severity' | 'controls';

export interface TableLayout {
  /** The columns shown, in order. */
  readonly columns: readonly Column[];
  readonly colWidths: readonly number[];
}

const HEAD: Readonly<Record<Column, string>> = {
  account: 'account',
  region: 'region',
  kind: 'kind',
  name: 'name',
  owner: 'owner',
  status: 'status',
  decision: 'decision',
  severity: 'severity',
  controls: 'failed controls',
};

/** Right padding of every cell; the last column's is trimmed from each line. */
const PADDING = 2;

/**
 * Column widths, padding included: account, region, kind, status, decision and severity fit their longest
 * values; a control id (40) and its comma fit the controls column; names and owners wrap anywhere in theirs.
 */
const WIDTH = { account: 14, region: 16, kind: 19, status: 12, decision: 24, severity: 10, minName: 12, maxName: 65, minOwner: 12, maxOwner: 32, minControls: 44 } as const;

/**
 * Fixed column widths for a terminal `columns` wide, so that every chunk of rows lines up; names wrap, never
 * truncate. Severity is always shown; the owner, then the account, only when there is room for them too
 * (--format json and csv always have both).
 */
export function tableLayout(columns: number, withRegion: boolean, accountAlways = false): TableLayout {
  // Across accounts (--role-name) the account is what tells the rows apart: always shown, before the owner.
  const fixed = (accountAlways ? WIDTH.account : 0) + (withRegion ? WIDTH.region : 0) + WIDTH.kind + WIDTH.status + WIDTH.decision + WIDTH.severity;
  // Lines are at most columns - 1 wide (a full-width line would wrap on some terminals): the last
  // column's padding is trimmed, so it may reach past that.
  const room = columns - 1 + PADDING - fixed;
  const least = WIDTH.minName + WIDTH.minOwner + WIDTH.minControls;
  const withOwner = room >= least;
  const withAccount = accountAlways || room - WIDTH.account >= least;
  const rest = room - (withAccount && !accountAlways ? WIDTH.account : 0);
  const owner = withOwner ? Math.min(WIDTH.maxOwner, Math.max(WIDTH.minOwner, Math.floor(rest * 0.2))) : 0;
  let name = Math.min(WIDTH.maxName, Math.max(WIDTH.minName, Math.floor(rest * 0.3)));
  // Controls keep room for a whole control id: the name gives way first.
  if (rest - owner - name < WIDTH.minControls) name = Math.max(WIDTH.minName, rest - owner - WIDTH.minControls);
  const controls = Math.max(WIDTH.minControls, rest - owner - name);
  const widths: [Column, number][] = [
    ...(withAccount ? [['account', WIDTH.account] as [Column, number]] : []),
    ...(withRegion ? [['region', WIDTH.region] as [Column, number]] : []),
    ['kind', WIDTH.kind],
    ['name', name],
    ...(withOwner ? [['owner', owner] as [Column, number]] : []),
    ['status', WIDTH.status],
    ['decision', WIDTH.decision],
    ['severity', WIDTH.severity],
    ['controls', controls],
  ];
  return { columns: widths.map(([column]) => column), colWidths: widths.map(([, width]) => width) };
}

function cell(entry: RegionItem, column: Column): string {
  const { item } = entry;
  switch (column) {
    case 'account':
      return accountOf(item) ?? entry.account ?? '-';
    case 'region':
      return entry.region;
    case 'kind':
      return item.kind;
    case 'name':
      return item.name;
    case 'owner':
      return ownerOf(item) ?? '-';
    case 'status':
      return statusOf(entry) ?? '-';
    case 'decision':
      return decisionLabel(item);
    case 'severity':
      return severityOf(item) ?? '-';
    case 'controls':
      return controlsLabel(item);
  }
}

export function tableRow(entry: RegionItem, layout: TableLayout): string[] {
  return layout.columns.map((column) => cell(entry, column));
}

/** The table row of an account that could not be entered: its role in the name column, the reason in the last. */
export function unreachableRow(unreachable: Unreachable, layout: TableLayout): string[] {
  const cells: Readonly<Record<Column, string>> = {
    account: unreachable.account,
    region: unreachable.region,
    kind: '-',
    name: unreachable.roleArn,
    owner: '-',
    status: '-',
    decision: 'error (no access)',
    severity: '-',
    controls: `could not enter the account: ${unreachable.error.name}: ${unreachable.error.message}`,
  };
  return layout.columns.map((column) => cells[column]);
}

export function unreachableJson(unreachable: Unreachable): string {
  return JSON.stringify({ type: 'error', account: unreachable.account, region: unreachable.region, call: 'sts:AssumeRole', roleArn: unreachable.roleArn, error: unreachable.error });
}

export function unreachableCsv(unreachable: Unreachable): string {
  return csvRecord([unreachable.account, unreachable.region, '', '', '', '', '', '', '', 'error', `could not enter the account (sts:AssumeRole ${unreachable.roleArn}): ${unreachable.error.name}: ${unreachable.error.message}`]);
}

/**
 * How a cell wraps: names have no spaces, so they wrap anywhere rather than being cut; owners ("Smith,
 * Alice <alice@example.com>") wrap at their spaces, and a word longer than the column is broken.
 */
function cellContent(content: string, column: Column, width: number): string | { content: string; wrapOnWordBoundary: false } {
  if (column === 'name') return { content, wrapOnWordBoundary: false };
  if (column === 'owner') return breakLongWords(content, width - PADDING);
  return content;
}

/** Renders rows (and the header, for the first chunk) without borders; columns are `layout.colWidths` wide. */
export function renderTable(rows: readonly string[][], layout: TableLayout, withHeader: boolean): string {
  const table = new Table({
    ...(withHeader ? { head: layout.columns.map((column) => HEAD[column]) } : {}),
    colWidths: [...layout.colWidths],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': PADDING, compact: true },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  });
  for (const row of rows) table.push(row.map((content, index) => cellContent(content, layout.columns[index] ?? 'kind', layout.colWidths[index] ?? 0)));
  // Trailing padding is noise in a file or a pipe.
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** One NDJSON object per resource: what a script needs to act on, without the prose of each control. */
export function jsonLine(entry: RegionItem): string {
  const { region, item, after } = entry;
  if (isFailure(item)) {
    return JSON.stringify({ type: 'error', region, ...(entry.account !== undefined ? { account: entry.account } : {}), kind: item.kind, name: item.name, error: item.error, ...deniedField(item) });
  }
  return JSON.stringify({
    type: 'resource',
    region,
    account: accountOf(item) ?? entry.account ?? null,
    kind: item.kind,
    name: item.name,
    arn: item.arn ?? null,
    owner: ownerOf(item) ?? null,
    status: after?.type === 'unread' ? null : (statusOf(entry) ?? null),
    // After an action: the status it was acted on in, and why the status after is unknown if it is.
    ...(after !== undefined ? { statusBefore: item.status ?? null } : {}),
    ...(after?.type === 'unread' ? { statusReadError: after.error } : {}),
    severity: severityOf(item) ?? null,
    decision: item.decision,
    // Enforced controls fail, but the resource is older than enforcement: the guard reports it, does not act.
    existingEstate: item.existing ?? null,
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
  return JSON.stringify({ type: 'error', region: error.region, ...(error.account !== undefined ? { account: error.account } : {}), kind: error.kind, call: error.call, error: error.error });
}

/** The CSV columns: one row per failed control (exempt ones included, with mode "exempt"), one per error. */
export const CSV_HEADER = ['account', 'region', 'kind', 'name', 'status', 'owner', 'control', 'severity', 'mode', 'action', 'message'] as const;

/** Characters that make a spreadsheet read a cell as a formula (CSV injection): such a cell gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, CR or LF, with its quotes doubled.
 * A value that a spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR: an owner tag
 * is anyone's to write) is prefixed with an apostrophe first, as OWASP advises.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The CSV records of one resource: one per failed control; one for an error; none when it fails nothing. */
export function csvRows(entry: RegionItem): string {
  const { region, item } = entry;
  if (isFailure(item)) return csvRecord([entry.account ?? '', region, item.kind, item.name, '', '', '', '', '', 'error', `${item.error.name}: ${item.error.message}`]);
  const common = { account: accountOf(item) ?? entry.account ?? '', status: statusOf(entry) ?? '', owner: ownerOf(item) ?? '', action: actionOf(item) };
  return item.findings
    .map((finding) => csvRecord([common.account, region, item.kind, item.name, common.status, common.owner, finding.controlId, finding.severity, finding.mode, common.action, finding.observed]))
    .join('');
}

/** A failed listing as a CSV record: nothing of that kind in that region was checked. */
export function listingErrorCsv(error: ListingError): string {
  return csvRecord([error.account ?? '', error.region, error.kind, '', '', '', '', '', '', 'error', `could not list (${error.call}): ${error.error.name}: ${error.error.message}`]);
}

export interface Summary {
  readonly type: 'summary';
  readonly regions: readonly string[];
  /** With --role-name: the accounts audited (or tried). */
  readonly accounts?: readonly string[];
  /** (account, region) pairs that could not be entered: nothing there was checked. */
  readonly unreachable: number;
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
  /** Of enforce: older than enforcement (the existing estate), so the guard reports them and does not act. */
  readonly existing: number;
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
  private readonly counts = { checked: 0, compliant: 0, enforce: 0, report: 0, exempt: 0, existing: 0, gone: 0, failed: 0, accessDenied: 0, listingErrors: 0, unreachable: 0, stopped: 0, deleted: 0 };
  private readonly controls = new Map<string, number>();

  constructor(
    private readonly regions: readonly string[],
    private readonly remediate: boolean,
    private readonly accounts?: readonly string[],
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
    if (item.existing !== undefined) counts.existing++;
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

  addUnreachable(): void {
    this.counts.unreachable++;
  }

  summary(): Summary {
    const byControl = Object.fromEntries([...this.controls.entries()].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b)));
    return { type: 'summary', regions: this.regions, ...(this.accounts !== undefined ? { accounts: this.accounts } : {}), remediate: this.remediate, ...this.counts, withViolations: this.counts.enforce + this.counts.report, byControl };
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "N resources checked in R region(s): V with violations (X enforce, Y report), E exempt; by control: id=count, ..." */
export function summaryLine(summary: Summary): string {
  const regions = summary.regions.length;
  const accounts = summary.accounts !== undefined ? `${plural(summary.accounts.length, 'account')} and ` : '';
  let line =
    `${plural(summary.checked, 'resource')} checked in ${accounts}${regions} region${regions === 1 ? '' : 's'}: ` +
    `${summary.withViolations} with violations (${summary.enforce} enforce, ${summary.report} report), ${summary.exempt} exempt`;
  const controls = Object.entries(summary.byControl);
  line += controls.length > 0 ? `; by control: ${controls.map(([id, count]) => `${id}=${count}`).join(', ')}` : '; by control: none';
  if (summary.existing > 0) line += `; ${summary.existing} of them existing estate (older than enforcement: reported, not acted on)`;
  if (summary.remediate) line += `; remediated: ${summary.stopped} stopped, ${summary.deleted} deleted`;
  const extra: string[] = [];
  if (summary.gone > 0) extra.push(`${summary.gone} gone before they could be described (skipped)`);
  if (summary.failed > 0) extra.push(`${summary.failed} could not be checked${summary.accessDenied > 0 ? ` (${summary.accessDenied} access denied)` : ''}`);
  if (summary.listingErrors > 0) extra.push(`${plural(summary.listingErrors, 'listing')} failed`);
  if (summary.unreachable > 0) extra.push(`${plural(summary.unreachable, 'account and region', 'accounts and regions')} could not be entered`);
  if (extra.length > 0) line += `; ${extra.join('; ')}`;
  return line;
}

/**
 * 0 clean, 1 violations found, 2 access or listing errors or an account not entered (which hide what could not be read), or a run
 * that checked nothing because every resource it found failed: that run cannot say "clean".
 */
export function exitCodeFor(summary: Summary): 0 | 1 | 2 {
  if (summary.accessDenied > 0 || summary.listingErrors > 0 || summary.unreachable > 0) return 2;
  if (summary.failed > 0 && summary.checked === 0) return 2;
  return summary.withViolations > 0 ? 1 : 0;
}
