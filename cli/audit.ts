/**
 * Runs the audit: one sweep per region and kind through the responder's own pipeline (lambda/sweep),
 * streaming each result to stdout as a table chunk or an NDJSON line, a progress bar on stderr, and the
 * confirmation before --remediate. Loaded by main.ts only after it has set the SDK's and Powertools'
 * environment, since these modules create their clients and logger when loaded.
 */
import { Presets, SingleBar } from 'cli-progress';
import { classifyError, errorName } from '../lambda/aws/errors';
import { sageMaker, useRegion } from '../lambda/aws/clients';
import { KINDS, type ResourceKind } from '../lambda/core/kinds';
import type { GuardSettings } from '../lambda/core/settings';
import type { Runtime } from '../lambda/handlers/respond';
import { isFailure, sweep, type SweepItem } from '../lambda/sweep/sweep';
import type { AuditOptions } from './args';
import type { Output } from './io';
import {
  deniedAction,
  deniedMessage,
  exitCodeFor,
  jsonLine,
  listCall,
  listingErrorJson,
  renderTable,
  summaryLine,
  tableLayout,
  tableRow,
  Tally,
  type ListingError,
  type RegionItem,
  type Summary,
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

/** Rows rendered at a time: bounded memory, and a table that appears as the sweep goes. */
const TABLE_CHUNK = 100;
/** The SNS topic is never used (no notices); the Runtime type asks for one. */
const NO_TOPIC = 'arn:aws:sns:us-east-1:000000000000:sagemaker-guard-audit-sends-no-notices';

export async function audit(options: AuditOptions, settings: GuardSettings, io: AuditIO): Promise<number> {
  if (options.remediate && !options.yes && !io.interactive) {
    io.stderr.write(`--remediate stops and deletes resources, so it asks first, and nobody can answer here (not a terminal). Add --yes to go ahead without asking.\n`);
    return 2;
  }
  const regions = options.regions.length > 0 ? options.regions : await defaultRegion(io);
  if (regions === undefined) return 2;
  const now = io.now ?? (() => new Date());
  const correlationId = `audit-${now().toISOString()}`;

  if (!options.remediate || options.yes) return (await pass({ options, settings, io, regions, act: options.remediate, correlationId })).exitCode;

  // Interactive --remediate: audit first, show it, ask, then act (the same state rules, re-read).
  const preview = await pass({ options, settings, io, regions, act: false, correlationId });
  if (preview.aborted) return preview.exitCode;
  if (preview.wouldAct.size === 0) {
    io.stderr.write('Nothing to remediate: no resource fails an enforced control in a state where it can be stopped or deleted. Nothing was changed.\n');
    return preview.exitCode;
  }
  const question = `${actionPlan(preview.wouldAct)} in ${regions.join(', ')}, as the responder would (no notices are sent)? [y/N] `;
  if (!(await io.confirm(question))) {
    io.stderr.write('Nothing was changed.\n');
    return preview.exitCode;
  }
  return (await pass({ options, settings, io, regions, act: true, correlationId })).exitCode;
}

/** "Stop 2 notebook instances and delete 1 model" */
export function actionPlan(wouldAct: ReadonlyMap<ResourceKind, number>): string {
  const parts = [...wouldAct.entries()].map(([kind, count]) => `${KINDS[kind].action} ${count} ${KINDS[kind].label}${count === 1 ? '' : 's'}`);
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}` : (parts[0] ?? '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function defaultRegion(io: AuditIO): Promise<string[] | undefined> {
  try {
    const region = await sageMaker.config.region();
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
}

interface PassResult {
  readonly summary: Summary;
  readonly exitCode: number;
  /** A listing failed for another reason than access denied (credentials, network): the run stopped. */
  readonly aborted: boolean;
  /** Resources the responder would stop or delete, by kind (auditing only). */
  readonly wouldAct: ReadonlyMap<ResourceKind, number>;
}

/** One full run over every region and kind, printing as it goes. */
async function pass(input: PassInput): Promise<PassResult> {
  const { options, io, regions, act } = input;
  const tally = new Tally(regions, act);
  const wouldAct = new Map<ResourceKind, number>();
  const denied = new DeniedCalls();
  const problems: string[] = [];
  const progress = new Progress(io, regions.length * options.kinds.length);
  const table = options.json ? undefined : new TableWriter(io, progress, regions.length > 1);
  let aborted = false;

  regions: for (const region of regions) {
    if (options.regions.length > 0) useRegion(region);
    const runtime: Runtime = {
      settings: input.settings,
      topicArn: NO_TOPIC,
      region,
      now: io.now ?? (() => new Date()),
      ...(options.switchParameter !== undefined ? { switchParameter: options.switchParameter } : {}),
    };
    for (const kind of options.kinds) {
      progress.at(region, kind);
      try {
        const items = sweep(
          { kinds: [kind], handle: { act, notify: false }, concurrency: options.concurrency, correlationId: input.correlationId, ...(options.since !== undefined ? { since: options.since } : {}) },
          runtime,
        );
        for await (const item of items) {
          tally.add(item);
          progress.update(tally);
          if (!act && item.decision === 'remediate') wouldAct.set(item.kind, (wouldAct.get(item.kind) ?? 0) + 1);
          if (isFailure(item) && item.error.class === 'access-denied') denied.add(region, item);
          // A resource that vanished between list and describe is skipped (and counted).
          if (item.decision === 'gone') continue;
          const entry: RegionItem = { region, item };
          if (table !== undefined) table.add(entry);
          else io.stdout.write(`${jsonLine(entry)}\n`);
        }
      } catch (error) {
        const errorClass = classifyError(error).type;
        const listingError: ListingError = {
          region,
          kind,
          call: listCall(kind),
          error: { name: errorName(error), class: errorClass, message: (error as Error).message },
        };
        tally.addListingError();
        if (options.json) io.stdout.write(`${listingErrorJson(listingError)}\n`);
        if (errorClass === 'access-denied') {
          problems.push(deniedMessage(listingError.call, listingError.error, `in ${region}; no ${KINDS[kind].label} there was checked`));
        } else {
          problems.push(`Could not list ${KINDS[kind].label}s in ${region} (${listingError.call}): ${listingError.error.name}: ${listingError.error.message}`);
          aborted = true;
          break regions;
        }
      }
      progress.done(tally);
    }
  }
  table?.flush();
  progress.stop();

  const summary = tally.summary();
  const exitCode = aborted ? 2 : exitCodeFor(summary);
  if (options.json) io.stdout.write(`${JSON.stringify({ ...summary, exitCode })}\n`);
  else io.stdout.write(`\n${summaryLine(summary)}\n`);
  for (const message of [...problems, ...denied.messages()]) io.stderr.write(`${message}\n`);
  if (summary.failed > summary.accessDenied) io.stderr.write(`${summary.failed - summary.accessDenied} resource(s) could not be checked; see the error rows${options.json ? ' (type "error")' : ''}.\n`);
  return { summary, exitCode, aborted, wouldAct };
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
  ) {
    // A terminal's width; a file or pipe gets room enough that little wraps.
    this.layout = tableLayout(io.stdout.isTTY === true ? (io.stdout.columns ?? 120) : 160, withRegion);
  }

  add(entry: RegionItem): void {
    this.rows.push(tableRow(entry, this.layout));
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

  /** Where the sweep is now; the first call shows the bar. */
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
    this.step++;
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
