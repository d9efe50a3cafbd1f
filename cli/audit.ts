/**
 * Runs the audit: the enforcement switch read first (when given), then one sweep per region and kind
 * through the responder's own pipeline (lambda/sweep), streaming each result to stdout as a table chunk,
 * an NDJSON line or CSV records, a progress bar on stderr, and the confirmation before --remediate.
 * Loaded by main.ts only after it has set the SDK's and Powertools' environment, since these modules
 * create their clients and logger when loaded.
 */
import { Presets, SingleBar } from 'cli-progress';
import { classifyError, errorName } from '../lambda/aws/errors';
import { sageMaker, useRegion, withClients, type AccountClients } from '../lambda/aws/clients';
import { readSwitch, type SwitchReading } from '../lambda/aws/switch';
import { accessOf, KINDS, type ResourceKind } from '../lambda/kinds/registry';
import { SWITCH_VALUES } from '../lambda/core/modes';
import type { GuardSettings } from '../lambda/core/settings';
import type { Evaluated, Runtime } from '../lambda/pipeline/handle';
import { isFailure, sweep, type AccessByKind, type SweepItem } from '../lambda/sweep/sweep';
import type { ListOptions } from '../lambda/kinds/types';
import type { AuditOptions } from './args';
import type { EstateLookup } from './estate';
import type { MemberReach } from './members';
import type { Output } from './io';
import {
  CSV_HEADER,
  csvRecord,
  csvRows,
  deniedAction,
  deniedMessage,
  exitCodeFor,
  jsonLine,
  listCall,
  listingErrorCsv,
  listingErrorJson,
  renderTable,
  summaryLine,
  tableLayout,
  tableRow,
  Tally,
  unreachableRow,
  type ListingError,
  type RegionItem,
  type StatusAfter,
  type Summary,
  type Unreachable,
  unreachableCsv,
  unreachableJson,
} from './format';

export type { Output };

export interface AuditIO {
  readonly stdout: Output;
  /** Messages: errors, denied permissions, the prompt's outcome. */
  readonly stderr: Output;
  /** Where the progress bar goes: stderr when it is a terminal; none otherwise. */
  readonly progress?: NodeJS.WritableStream;
  /** Whether someone can answer a prompt: stdin and stderr are terminals. */
  readonly interactive: boolean;
  /** Asks a yes/no question; true means go ahead. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly now?: () => Date;
}

/** What the audit is run with besides its options: where its policy came from (main.ts says). */
export interface AuditContext {
  /** Said on stderr before the audit and put in the JSON summary as policySource. */
  readonly policySource?: string;
  /** The stderr line that says it; without one, none is written. */
  readonly policyLine?: string;
  /** When enforcement began in a region (the existing estate); without it, every resource counts as new. */
  readonly estate?: EstateLookup;
  /** With --role-name: the accounts and the clients to reach them (main.ts builds it with STS and Organizations). */
  readonly members?: MemberReach;
}

/** Rows rendered at a time: bounded memory, and a table that appears as the sweep goes. */
const TABLE_CHUNK = 100;
/** The width of a table written to a file or a pipe: room enough for every column, and little wrapping. */
const FILE_TABLE_WIDTH = 200;
/** The SNS topic is never used (no notices); the Runtime type asks for one. */
const NO_TOPIC = 'arn:aws:sns:us-east-1:000000000000:sagemaker-guard-audit-sends-no-notices';

export async function audit(options: AuditOptions, settings: GuardSettings, io: AuditIO, context: AuditContext = {}): Promise<number> {
  if (options.remediate && !options.yes && !io.interactive) {
    io.stderr.write(`--remediate stops and deletes resources, so it asks first, and nobody can answer here (not a terminal). Add --yes to go ahead without asking.\n`);
    return 2;
  }
  const regions = options.regions.length > 0 ? options.regions : await defaultRegion(io);
  if (regions === undefined) return 2;
  if (context.policyLine !== undefined) io.stderr.write(`${context.policyLine}\n`);
  // Across accounts, the hub's region holds the ledger and the switch that serve them all.
  const hubRegion = options.members?.hubRegion ?? regions.at(0) ?? '';
  let accounts: readonly string[] | undefined;
  if (options.members !== undefined) {
    accounts = await accountsToAudit(context.members, io);
    if (accounts === undefined) return 2;
  }
  let switchInfo: SwitchInfo | undefined;
  if (options.switchParameter !== undefined) {
    // One region only, or the hub's (args.ts): the switch's SSM client is in it (main.ts sets AWS_REGION).
    switchInfo = await checkSwitch(options.switchParameter, hubRegion, io);
    if (switchInfo === undefined) return 2;
  }
  const now = io.now ?? (() => new Date());
  const correlationId = `audit-${now().toISOString()}`;
  const csv = new CsvWriter(io.stdout);
  const base = {
    options,
    settings,
    io,
    regions,
    correlationId,
    csv,
    context,
    hubRegion,
    estateTold: new Set<string>(),
    ...(switchInfo !== undefined ? { switchInfo } : {}),
    ...(accounts !== undefined ? { accounts } : {}),
  };

  if (!options.remediate || options.yes) return (await pass({ ...base, act: options.remediate })).exitCode;

  // Interactive --remediate: audit first, show it, ask, then act (the same state rules, re-read).
  const preview = await pass({ ...base, act: false });
  if (preview.aborted) return preview.exitCode;
  if (preview.wouldAct.size === 0) {
    io.stderr.write('Nothing to remediate: no resource fails an enforced control in a state where it can be stopped or deleted. Nothing was changed.\n');
    return preview.exitCode;
  }
  // Across accounts: those the preview entered; the act pass enters no other (it would act on what nobody was shown).
  const entered = new Set([...preview.entered].map((pair) => pair.split('/')[0]));
  const where = accounts !== undefined ? `${entered.size} account${entered.size === 1 ? '' : 's'} (${regions.join(', ')})` : regions.join(', ');
  const question = `${actionPlan(preview.wouldAct)} in ${where}, as the responder would (no notices are sent)? [y/N] `;
  if (!(await io.confirm(question))) {
    io.stderr.write('Nothing was changed.\n');
    return preview.exitCode;
  }
  // Only what the preview showed as to be stopped or deleted: a resource it could not list (a throttled listing that
  // works now), or one created since, is not acted on unseen; the act pass reads each shown one again before acting.
  const acted = await pass({ ...base, act: true, onlyEntered: preview.entered, onlyShown: preview.shown });
  // What the preview could not check stays unchecked: its errors (exit 2) are not forgotten by a cleaner act pass.
  return Math.max(preview.exitCode, acted.exitCode);
}

/** The switch as read before the audit, for the JSON summary. */
interface SwitchInfo {
  readonly parameter: string;
  readonly region: string;
  readonly value: SwitchReading['value'];
}

/**
 * Reads the enforcement switch once, before anything is audited. The responders fail safe on a missing or
 * invalid switch (the policy applies, and the operators are told); an audit that did so would report on
 * a switch that is not what the operator meant, so it stops instead: undefined, after saying why.
 */
async function checkSwitch(parameter: string, region: string, io: AuditIO): Promise<SwitchInfo | undefined> {
  const reading = await readSwitch(parameter);
  if (reading.problem !== undefined) {
    const found = reading.problem.code === 'missing' ? 'it does not exist' : reading.problem.code === 'invalid' ? 'it holds something else' : 'it could not be read';
    io.stderr.write(
      `--switch-parameter ${parameter}: the enforcement switch cannot be used in ${region}: ${found} (${reading.problem.detail}). ` +
        `It must hold one of ${SWITCH_VALUES.map((value) => `"${value}"`).join(', ')}. Nothing was audited.\n`,
    );
    return undefined;
  }
  const meaning = reading.value === 'report' ? 'enforced controls are only reported, nothing is stopped or deleted' : 'the policy decides';
  io.stderr.write(`Enforcement switch ${parameter} in ${region}: ${reading.value} (${meaning})\n`);
  return { parameter, region, value: reading.value };
}

/** "Stop 2 notebook instances and delete 1 model" */
export function actionPlan(wouldAct: ReadonlyMap<ResourceKind, number>): string {
  const parts = [...wouldAct.entries()].map(([kind, count]) => `${KINDS[kind].action} ${count} ${KINDS[kind].label}${count === 1 ? '' : 's'}`);
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}` : (parts[0] ?? '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The accounts of --accounts or --organization; undefined (after saying why) when there are none to audit. */
async function accountsToAudit(members: MemberReach | undefined, io: AuditIO): Promise<readonly string[] | undefined> {
  if (members === undefined) throw new Error('--role-name given without the means to reach the accounts (AuditContext.members)');
  try {
    const accounts = await members.accounts();
    if (accounts.length > 0) {
      io.stderr.write(`Accounts: ${accounts.join(', ')}\n`);
      return accounts;
    }
    io.stderr.write('--organization: the organization lists no active account. Nothing was audited.\n');
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
  }
  return undefined;
}

async function defaultRegion(io: AuditIO): Promise<string[] | undefined> {
  try {
    const region = await sageMaker().config.region();
    if (region !== '') return [region];
  } catch {
    // reported below
  }
  io.stderr.write('No AWS region: pass --region, set AWS_REGION, or give the profile a region in ~/.aws/config.\n');
  return undefined;
}

interface PassInput {
  readonly options: AuditOptions;
  readonly settings: GuardSettings;
  readonly io: AuditIO;
  readonly regions: readonly string[];
  readonly act: boolean;
  readonly correlationId: string;
  /** Shared by the passes of one run, so that the CSV header is written once. */
  readonly csv: CsvWriter;
  readonly context: AuditContext;
  readonly switchInfo?: SwitchInfo;
  /** Regions whose existing-estate line was written (once per run). */
  readonly estateTold: Set<string>;
  /** With --role-name: the accounts, each audited in every region. */
  readonly accounts?: readonly string[];
  /** Where the hub's ledger is read across accounts. */
  readonly hubRegion: string;
  /** The act pass of an interactive --remediate: only the account/region pairs its preview entered. */
  readonly onlyEntered?: ReadonlySet<string>;
  /** The act pass of an interactive --remediate: only the resources its preview showed with decision remediate (shownKey). */
  readonly onlyShown?: ReadonlySet<string>;
}

interface PassResult {
  readonly summary: Summary;
  readonly exitCode: number;
  /** A listing failed for another reason than access denied (credentials, network): the run stopped. */
  readonly aborted: boolean;
  /** Resources the responder would stop or delete, by kind (auditing only). */
  readonly wouldAct: ReadonlyMap<ResourceKind, number>;
  /** Across accounts: the account/region pairs entered. */
  readonly entered: ReadonlySet<string>;
  /** The resources shown as to be stopped or deleted (auditing only), by shownKey. */
  readonly shown: ReadonlySet<string>;
}

/** A resource as the preview showed it: account (empty for the caller's own), region, kind, name. */
function shownKey(account: string | undefined, region: string, kind: ResourceKind, name: string): string {
  return JSON.stringify([account ?? '', region, kind, name]);
}

/** One full run over every account (with --role-name), region and kind, printing as it goes. */
async function pass(input: PassInput): Promise<PassResult> {
  const { options, io, regions, act, csv } = input;
  const format = options.format;
  const accounts = input.accounts;
  const tally = new Tally(regions, act, accounts);
  const wouldAct = new Map<ResourceKind, number>();
  const shown = new Set<string>();
  const denied = new DeniedCalls();
  const entered = new Set<string>();
  const problems: string[] = [];
  const progress = new Progress(io, (accounts?.length ?? 1) * regions.length * options.kinds.length);
  const table = format === 'table' ? new TableWriter(io, progress, regions.length > 1, accounts !== undefined) : undefined;
  /** aborted: a listing failed for another reason than access (the run stops); refused: --remediate acted on nothing in a region. */
  const stopped = { aborted: false, refused: false };
  if (format === 'csv') csv.header();

  /** Every kind in one account (undefined: the caller's own) and region, with the clients already chosen. */
  const auditRegion = async (account: string | undefined, region: string): Promise<void> => {
    // Across accounts, the hub's one ledger says when enforcement began for all of them.
    const estateRegion = accounts !== undefined ? input.hubRegion : region;
    const estate = input.context.estate !== undefined ? await input.context.estate(estateRegion) : undefined;
    if (estate !== undefined && !input.estateTold.has(estateRegion)) {
      io.stderr.write(`${estate.line}\n`);
      input.estateTold.add(estateRegion);
    }
    const where = account !== undefined ? `account ${account} in ${region}` : region;
    // The estate cannot be told apart: audit the region, but act on nothing there (exit 2), as the responders
    // fail closed without their ledger; acting would stop the estate the deployed guard deliberately spares.
    // Across accounts, a hub stack that is not there (the caller is not in the hub account, or --hub-region is not the
    // hub's) says nothing of the estate the hub spares: acting would stop it, so nothing is done either.
    const hubNotFound = accounts !== undefined && estate?.noStack === true;
    const actHere = act && estate?.state !== 'unreadable' && !hubNotFound;
    if (act && !actHere) {
      const problem = hubNotFound
        ? `--remediate acted on nothing: the hub's stack ${options.stack} was not found in ${estateRegion} (see above), so the existing estate the guard spares is not known; run from the hub account with --hub-region set to the hub's region, or pass --table with the hub's ledger, then run again.`
        : `--remediate acted on nothing in ${accounts !== undefined ? `any account (the hub's ledger in ${estateRegion})` : where}: the existing estate there could not be read (see above), and the guard spares it; fix the access (dynamodb:GetItem on the ledger, kms:Decrypt on its key, cloudformation:DescribeStacks) or pass --table, then run again.`;
      // Said once: across accounts it is the one hub ledger for every account and region.
      if (!problems.includes(problem)) problems.push(problem);
      stopped.refused = true;
    }
    const runtime: Runtime = {
      settings: input.settings,
      topicArn: NO_TOPIC,
      region,
      ...(estate?.since !== undefined ? { enforcementSince: estate.since } : {}),
      now: io.now ?? (() => new Date()),
      ...(options.switchParameter !== undefined ? { switchParameter: options.switchParameter } : {}),
    };
    for (const kind of options.kinds) {
      progress.at(account !== undefined ? `${account} ${region}` : region, kind);
      try {
        const onlyShown = input.onlyShown;
        // The act pass lists as the preview did, but checks (and may act on) only the names the preview showed.
        const accessFor: AccessByKind | undefined =
          onlyShown === undefined
            ? undefined
            : async <K extends ResourceKind>(listed: K) => {
                const access = await accessOf(listed);
                return {
                  ...access,
                  async *list(listOptions: ListOptions) {
                    for await (const page of access.list(listOptions)) yield { ...page, names: page.names.filter((name) => onlyShown.has(shownKey(account, region, listed, name))) };
                  },
                };
              };
        const items = sweep(
          { kinds: [kind], handle: { act: actHere, notify: false }, concurrency: options.concurrency, correlationId: input.correlationId, ...(options.since !== undefined ? { since: options.since } : {}) },
          runtime,
          ...(accessFor !== undefined ? [accessFor] : []),
        );
        for await (const item of items) {
          tally.add(item);
          progress.update(tally);
          if (!actHere && item.decision === 'remediate') {
            wouldAct.set(item.kind, (wouldAct.get(item.kind) ?? 0) + 1);
            shown.add(shownKey(account, region, item.kind, item.name));
          }
          if (isFailure(item) && item.error.class === 'access-denied') denied.add(where, item);
          // A resource that vanished between list and describe is skipped (and counted).
          if (item.decision === 'gone') continue;
          const after = !isFailure(item) && item.actionResult !== undefined ? await statusAfter(item) : undefined;
          const entry: RegionItem = { region, item, ...(account !== undefined ? { account } : {}), ...(after !== undefined ? { after } : {}) };
          if (table !== undefined) table.add(entry);
          else if (format === 'csv') io.stdout.write(csvRows(entry));
          else io.stdout.write(`${jsonLine(entry)}\n`);
        }
      } catch (error) {
        const errorClass = classifyError(error).type;
        const listingError: ListingError = {
          region,
          ...(account !== undefined ? { account } : {}),
          kind,
          call: listCall(kind),
          error: { name: errorName(error), class: errorClass, message: (error as Error).message },
        };
        tally.addListingError();
        if (format === 'json') io.stdout.write(`${listingErrorJson(listingError)}\n`);
        if (format === 'csv') io.stdout.write(listingErrorCsv(listingError));
        if (errorClass === 'access-denied') {
          problems.push(deniedMessage(listingError.call, listingError.error, `in ${where}; no ${KINDS[kind].label} there was checked`));
        } else {
          problems.push(`Could not list ${KINDS[kind].label}s in ${where} (${listingError.call}): ${listingError.error.name}: ${listingError.error.message}`);
          // One account's failure (throttled past the retries, a region it has not opted in to) leaves the others to
          // audit: an error row each, and exit 2. In one account it means no credentials or no network: stop.
          if (account !== undefined) {
            progress.done(tally);
            continue;
          }
          stopped.aborted = true;
          return;
        }
      }
      progress.done(tally);
    }
  };

  /** The clients of a member account, or undefined after an error row: it is never skipped in silence. */
  async function enter(account: string, region: string): Promise<AccountClients | undefined> {
    const reach = input.context.members;
    if (reach === undefined) throw new Error('--role-name given without AuditContext.members');
    try {
      if (input.onlyEntered !== undefined && !input.onlyEntered.has(`${account}/${region}`)) {
        throw new Error('it could not be entered when the audit was shown, so nothing is done there now (run the audit again)');
      }
      const clients = await reach.clientsFor({ account, region });
      entered.add(`${account}/${region}`);
      return clients;
    } catch (error) {
      const unreachable: Unreachable = {
        account,
        region,
        roleArn: reach.roleArnOf(account) ?? `role ${options.members?.roleName ?? ''}`,
        error: { name: errorName(error), class: classifyError(error).type, message: (error as Error).message },
      };
      tally.addUnreachable();
      progress.skip(options.kinds.length, tally);
      if (table !== undefined) table.addUnreachable(unreachable);
      else if (format === 'csv') io.stdout.write(unreachableCsv(unreachable));
      else io.stdout.write(`${unreachableJson(unreachable)}\n`);
      problems.push(`Could not enter account ${account} in ${region}: nothing there was checked (${unreachable.error.name}: ${unreachable.error.message})`);
      return undefined;
    }
  }

  targets: for (const account of accounts ?? [undefined]) {
    for (const region of regions) {
      if (account === undefined) {
        if (options.regions.length > 0) useRegion(region);
        await auditRegion(undefined, region);
      } else {
        const clients = await enter(account, region);
        if (clients !== undefined) await withClients(clients, () => auditRegion(account, region));
      }
      if (stopped.aborted) break targets;
    }
  }


  table?.flush();
  progress.stop();

  const summary = tally.summary();
  const { aborted, refused } = stopped;
  const exitCode = aborted || refused ? 2 : exitCodeFor(summary);
  if (format === 'json') {
    const extra = {
      ...(input.context.policySource !== undefined ? { policySource: input.context.policySource } : {}),
      ...(input.switchInfo !== undefined ? { switch: input.switchInfo } : {}),
    };
    io.stdout.write(`${JSON.stringify({ ...summary, ...extra, exitCode })}\n`);
  } else if (format === 'csv') {
    // stdout is the CSV alone.
    io.stderr.write(`${summaryLine(summary)}\n`);
  } else {
    io.stdout.write(`\n${summaryLine(summary)}\n`);
  }
  for (const message of [...problems, ...denied.messages()]) io.stderr.write(`${message}\n`);
  if (summary.failed > summary.accessDenied) {
    const rows = format === 'json' ? ' (type "error")' : format === 'csv' ? ' (action "error")' : '';
    io.stderr.write(`${summary.failed - summary.accessDenied} resource(s) could not be checked; see the error rows${rows}.\n`);
  }
  // Said when it is what makes the exit code 2 (access errors say so themselves).
  if (!aborted && summary.failed > 0 && summary.checked === 0 && summary.accessDenied === 0 && summary.listingErrors === 0 && summary.unreachable === 0) {
    io.stderr.write(`Nothing was checked: each of the ${summary.failed} resource(s) found failed, so this audit cannot say whether anything breaks a control (exit 2).\n`);
  }
  return { summary, exitCode, aborted, wouldAct, entered, shown };
}

/**
 * The status after --remediate called Stop or Delete, read again: a stopped notebook is Stopping, a
 * deleted model is gone. A resource that was gone before the action is gone; a denied action changed
 * nothing, so its status is the one described.
 */
async function statusAfter(item: Evaluated): Promise<StatusAfter | undefined> {
  const result = item.actionResult;
  if (result === undefined) return undefined;
  if (result.type === 'gone') return { type: 'gone' };
  if (result.type === 'denied') return { type: 'read', status: item.status };
  try {
    // Kinds without a status (models): one still there after a delete reads as "-".
    const described = await (await accessOf(item.kind)).describe(item.name);
    return described === undefined ? { type: 'gone' } : { type: 'read', status: described.status };
  } catch (error) {
    return { type: 'unread', error: `${errorName(error)}: ${(error as Error).message}` };
  }
}

/** CSV on stdout: the header once per run (an interactive --remediate makes two passes), then records. */
class CsvWriter {
  private written = false;

  constructor(private readonly stdout: Output) {}

  header(): void {
    if (this.written) return;
    this.stdout.write(csvRecord(CSV_HEADER));
    this.written = true;
  }
}

/** Access-denied failures grouped by region and IAM action, so a missing permission is said once, not per resource. */
class DeniedCalls {
  private readonly calls = new Map<string, { region: string; action: string | undefined; count: number; example: SweepItem & { decision: 'error' } }>();

  add(region: string, item: SweepItem & { decision: 'error' }): void {
    const action = deniedAction(item.error.message);
    const key = `${region} ${action ?? item.error.name}`;
    const entry = this.calls.get(key);
    if (entry !== undefined) entry.count++;
    else this.calls.set(key, { region, action, count: 1, example: item });
  }

  messages(): string[] {
    return [...this.calls.values()].map(({ region, action, count, example }) => {
      const others = count > 1 ? ` and ${count - 1} more` : '';
      return deniedMessage(action, example.error, `for ${KINDS[example.kind].label} ${example.name}${others} in ${region}`);
    });
  }
}

/** Table rows a chunk at a time, with fixed column widths so the chunks line up. */
class TableWriter {
  private rows: string[][] = [];
  private headerWritten = false;
  private readonly layout;

  constructor(
    private readonly io: AuditIO,
    private readonly progress: Progress,
    withRegion: boolean,
    withAccount: boolean,
  ) {
    // A terminal's width; a file or pipe gets room enough that little wraps.
    this.layout = tableLayout(io.stdout.isTTY === true ? (io.stdout.columns ?? 120) : FILE_TABLE_WIDTH, withRegion, withAccount);
  }

  add(entry: RegionItem): void {
    this.push(tableRow(entry, this.layout));
  }

  addUnreachable(unreachable: Unreachable): void {
    this.push(unreachableRow(unreachable, this.layout));
  }

  private push(row: string[]): void {
    this.rows.push(row);
    if (this.rows.length >= TABLE_CHUNK) this.flush();
  }

  flush(): void {
    if (this.rows.length === 0) return;
    // On a terminal the bar (stderr) and the rows (stdout) share the screen: clear the bar while writing.
    const shared = this.io.stdout.isTTY === true;
    if (shared) this.progress.pause();
    this.io.stdout.write(`${renderTable(this.rows, this.layout, !this.headerWritten)}\n`);
    if (shared) this.progress.resume();
    this.headerWritten = true;
    this.rows = [];
  }
}

/** A progress bar on stderr, only when stderr is a terminal: steps are (region, kind) pairs. */
class Progress {
  private readonly bar: SingleBar | undefined;
  private step = 0;
  private payload = { where: '', checked: 0, violations: 0, failed: '' };
  private running = false;

  constructor(
    io: AuditIO,
    private readonly total: number,
  ) {
    this.bar =
      io.progress !== undefined
        ? new SingleBar(
            {
              stream: io.progress,
              format: 'auditing {bar} {value}/{total} | {where} | {checked} checked, {violations} with violations{failed}',
              clearOnComplete: true,
              hideCursor: true,
              barsize: 20,
            },
            Presets.shades_classic,
          )
        : undefined;
  }

  /** Where the sweep is now (a region, or an account and region); the first call shows the bar. */
  at(region: string, kind: ResourceKind): void {
    this.payload = { ...this.payload, where: `${region} ${KINDS[kind].label}s` };
    if (this.bar === undefined) return;
    if (this.running) this.bar.update(this.step, this.payload);
    else this.bar.start(this.total, this.step, this.payload);
    this.running = true;
  }

  update(tally: Tally): void {
    if (!this.running) return;
    const summary = tally.summary();
    this.payload = { ...this.payload, checked: summary.checked, violations: summary.withViolations, failed: summary.failed > 0 ? `, ${summary.failed} failed` : '' };
    this.bar?.update(this.step, this.payload);
  }

  done(tally: Tally): void {
    this.skip(1, tally);
  }

  /** `steps` (region, kind) pairs over at once: an account that could not be entered. */
  skip(steps: number, tally: Tally): void {
    this.step += steps;
    this.update(tally);
  }

  pause(): void {
    if (this.running) this.bar?.stop();
  }

  resume(): void {
    if (this.running) this.bar?.start(this.total, this.step, this.payload);
  }

  stop(): void {
    this.bar?.stop();
    this.running = false;
  }
}
