/**
 * The three tasks of the Step Functions sweep (lib/sweep-machine.ts), one bundle, three functions:
 * - `plan`: sends the notices the ledger still owes, then writes the run's shards (each kind in each account and
 *   region; or the shards a summary left to resume) for the Distributed Map to read;
 * - `page`: one task of one shard: a few List pages from its cursor, checked and acted on through the responder's
 *   own pipeline (the same per-resource notices, exactly once through the ledger);
 * - `summarize`: reads what the Map wrote and sends one notice for the whole run: counts, what was done, the
 *   accounts and regions it could not reach, the parts it could not finish and how to resume them.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { getText, putJson } from '../aws/objects';
import { accountsUnder } from '../aws/organization';
import { buildSweepNotice, sweepIsNoteworthy, type SweepRun } from '../core/summary';
import { SWEEP_BUCKET_ENV, SWEEP_REGIONS_ENV, SWEEP_TARGET_OUS_ENV } from '../core/settings';
import { RESOURCE_KINDS } from '../kinds/registry';
import { deliverOnce, drainOutbox, noticeRecord, type OutboxResult } from '../pipeline/deliver';
import { RESPONDER, type Runtime } from '../pipeline/handle';
import { logger, metrics } from '../powertools';
import { planShards, resumeShards, RESUME_KEY, RUN_DEADLINE_MS, RUN_ID, runPrefix } from '../sweep/plan';
import { manifestSchema, progressSchema, resultRecordsSchema, RunOutcome } from '../sweep/results';
import { sweepShard, type ShardProgress } from '../sweep/shard';
import type { AccessByKind } from '../sweep/sweep';
import { runtimeFromEnv } from './make-handler';

/** Describe calls in flight at once per shard: well under SageMaker's management API rates, with adaptive retry. */
export const SWEEP_CONCURRENCY = 8;
/** List pages (of up to 100) one task checks at most. */
export const PAGES_PER_TASK = 20;
/** A task starts no new page after this long: the page in flight has the rest of the function's timeout to finish. */
export const TASK_BUDGET_MS = 180_000;
/** Time the plan keeps to write the shards after sending owed notices. */
export const PLAN_RESERVE_MS = 60_000;

type TaskContext = Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

export interface SweepDeps {
  readonly bucket: string;
  /** Regions a hub covers; undefined: the function's own region. */
  readonly regions?: readonly string[];
  /** The OUs a hub covers; undefined: the function's own account only. */
  readonly targetOus?: readonly string[];
  readonly listAccounts?: (parents: readonly string[]) => Promise<string[]>;
  readonly objects?: { readonly getText: typeof getText; readonly putJson: typeof putJson };
  readonly accessFor?: AccessByKind;
}

const planInput = z.object({
  runId: z.string().regex(RUN_ID, 'expected the execution name (1 to 80 of letters, digits, - and _)'),
  startedAt: z.string().min(1),
  input: z.looseObject({ resumeKey: z.string().regex(RESUME_KEY, 'expected runs/<run id>/resume.json, as a summary names it').optional() }).default({}),
});

export interface PlanResult {
  readonly runId: string;
  readonly startedAt: string;
  /** When the shards hand their cursors back (RUN_DEADLINE_MS after the start). */
  readonly deadline: string;
  readonly itemsKey: string;
  readonly shardCount: number;
  readonly accountCount: number;
  readonly regions: readonly string[];
  readonly resumedFrom?: string;
  readonly outbox?: OutboxResult;
}

const pageInput = z.object({ runId: z.string().regex(RUN_ID), deadline: z.iso.datetime().optional(), progress: progressSchema });

/** What a page task returns: the state the shard's loop carries; `handBack` tells the Choice to stop the loop. */
export interface PageResult {
  readonly runId: string;
  readonly deadline?: string;
  readonly progress: ShardProgress;
  readonly handBack: boolean;
}

const summarizeInput = z.object({
  runId: z.string().regex(RUN_ID),
  startedAt: z.string().min(1),
  stateMachineArn: z.string().min(1),
  plan: z
    .object({ itemsKey: z.string(), shardCount: z.number().int().nonnegative(), accountCount: z.number().int().nonnegative(), regions: z.array(z.string()), outbox: z.object({ sent: z.number(), failed: z.number(), busy: z.number() }).optional() })
    .optional(),
  results: z.object({ ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }) }).optional(),
  planError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  mapError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export interface SummaryResult {
  readonly checked: number;
  readonly withFindings: number;
  readonly failures: number;
  readonly unreachable: number;
  readonly unfinished: number;
  readonly notified: boolean;
  readonly resumeKey?: string;
}

/** Parses a task's input, naming each field that is wrong: a malformed input fails the task, never passes silently. */
function parsed<T>(schema: z.ZodType<T>, input: unknown, task: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
  throw new Error(`the sweep's ${task} task got an input it cannot use: ${problems.join('; ')}`);
}

export function makeSweepTasks(runtime: Runtime, deps: SweepDeps) {
  const objects = deps.objects ?? { getText, putJson };
  const listAccounts = deps.listAccounts ?? accountsUnder;
  const home = runtime.account ?? 'unknown';

  async function plan(event: unknown, context?: TaskContext): Promise<PlanResult> {
    const { runId, startedAt, input } = parsed(planInput, event, 'plan');
    logger.resetKeys();
    logger.setCorrelationId(runId);
    const shouldStop = (): boolean => (context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) < PLAN_RESERVE_MS;
    const outbox = runtime.ledger !== undefined ? await drainOutbox(runtime.ledger, runtime.topicArn, `sweep:${runId}`, runtime.now, shouldStop) : undefined;
    const regions = deps.regions ?? [runtime.region];
    let shards: ShardProgress[];
    if (input.resumeKey !== undefined) {
      const left = z.array(progressSchema).parse(JSON.parse(await objects.getText(deps.bucket, input.resumeKey)));
      shards = resumeShards(left);
    } else {
      const members = deps.targetOus !== undefined ? await listAccounts(deps.targetOus) : [];
      shards = planShards({ accounts: [home, ...members], regions, kinds: RESOURCE_KINDS });
    }
    const itemsKey = `${runPrefix(runId)}shards.json`;
    await objects.putJson(deps.bucket, itemsKey, shards);
    const accountCount = new Set(shards.map((progress) => progress.shard.account)).size;
    const started = new Date(startedAt);
    const deadline = new Date((Number.isNaN(started.getTime()) ? runtime.now().getTime() : started.getTime()) + RUN_DEADLINE_MS).toISOString();
    const result = {
      runId,
      startedAt,
      deadline,
      itemsKey,
      shardCount: shards.length,
      accountCount,
      regions: [...new Set(shards.map((progress) => progress.shard.region))].sort(),
      ...(input.resumeKey !== undefined ? { resumedFrom: input.resumeKey } : {}),
      ...(outbox !== undefined ? { outbox } : {}),
    };
    logger.info('Sweep planned', { ...result });
    return result;
  }

  async function page(event: unknown, context?: TaskContext): Promise<PageResult> {
    const { runId, progress, deadline } = parsed(pageInput, event, 'page');
    logger.resetKeys();
    logger.setCorrelationId(runId);
    const started = Date.now();
    const shouldStop = (): boolean => Date.now() - started > TASK_BUDGET_MS || (context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) < TASK_BUDGET_MS;
    try {
      const next = await sweepShard(
        progress,
        {
          handle: RESPONDER,
          concurrency: SWEEP_CONCURRENCY,
          correlationId: runId,
          maxPages: PAGES_PER_TASK,
          shouldStop,
          ...(deadline !== undefined ? { deadline: new Date(deadline) } : {}),
          now: runtime.now,
        },
        runtime,
        deps.accessFor,
      );
      logger.info('Sweep task', { shard: next.shard, done: next.done, pages: next.pages, tasks: next.tasks, checked: next.tally.checked - progress.tally.checked });
      return { runId, ...(deadline !== undefined ? { deadline } : {}), progress: next, handBack: next.handBack === true };
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  }

  async function summarize(event: unknown): Promise<SummaryResult> {
    const input = parsed(summarizeInput, event, 'summarize');
    logger.resetKeys();
    logger.setCorrelationId(input.runId);
    const outcome = new RunOutcome();
    let incomplete: string | undefined;
    if (input.planError !== undefined || input.plan === undefined) {
      incomplete = `the sweep could not start: its plan failed (${input.planError?.Error ?? 'Error'}: ${input.planError?.Cause ?? 'no plan was given'}); nothing was checked`;
    } else if (input.mapError !== undefined || input.results === undefined) {
      incomplete = `the sweep's Map failed (${input.mapError?.Error ?? 'Error'}: ${input.mapError?.Cause ?? 'it wrote no results'}); what its parts did is not known here, the per-resource notices were sent as they ran`;
    } else {
      const { Bucket, Key } = input.results.ResultWriterDetails;
      const manifest = manifestSchema.parse(JSON.parse(await objects.getText(Bucket, Key)));
      for (const file of [...manifest.ResultFiles.SUCCEEDED, ...manifest.ResultFiles.FAILED, ...manifest.ResultFiles.PENDING]) {
        for (const record of resultRecordsSchema.parse(JSON.parse(await objects.getText(Bucket, file.Key)))) outcome.addRecord(record);
      }
      const missing = input.plan.shardCount - outcome.results;
      if (missing > 0) incomplete = `${missing} of its ${input.plan.shardCount} parts reported no result (the Map's results do not list them)`;
      if (outcome.unreadable > 0) incomplete = [incomplete, `${outcome.unreadable} results could not be read (${outcome.unreadableSamples.join('; ')})`].filter(Boolean).join('; ');
    }
    const resumeKey = outcome.left.length > 0 ? `${runPrefix(input.runId)}resume.json` : undefined;
    if (resumeKey !== undefined) await objects.putJson(deps.bucket, resumeKey, outcome.left);
    const startedAt = new Date(input.startedAt);
    const run: SweepRun = {
      account: home,
      region: runtime.region,
      correlationId: input.runId,
      startedAt,
      durationMs: Math.max(0, runtime.now().getTime() - startedAt.getTime()),
      ...(incomplete !== undefined ? { incomplete } : {}),
      ...(input.plan?.outbox !== undefined ? { outbox: input.plan.outbox } : {}),
      ...(input.plan !== undefined ? { scope: { accounts: input.plan.accountCount, regions: input.plan.regions, shards: input.plan.shardCount } } : {}),
      unreachable: outcome.unreachable,
      unfinished: {
        count: outcome.failedCount + outcome.handedBack,
        lines: outcome.failed.map((failed) => ({ ...failed.shard, error: failed.error })),
        ...(resumeKey !== undefined ? { resume: `aws stepfunctions start-execution --state-machine-arn ${input.stateMachineArn} --input '{"resumeKey":"${resumeKey}"}'` } : {}),
      },
    };
    const { tally } = outcome;
    logger.info('Sweep summary', { checked: tally.checked, withFindings: tally.withFindings, failures: tally.failures, byDecision: tally.byDecision, byControl: tally.byControl, unreachable: outcome.unreachable.length, failedShards: outcome.failedCount, handedBack: outcome.handedBack, incomplete, resumeKey });
    let notified = false;
    if (sweepIsNoteworthy(tally, run)) {
      if (runtime.ledger === undefined) throw new Error('the sweep cannot notify without the ledger (LEDGER_TABLE)');
      const holder = `sweep:${input.runId}`;
      const now = runtime.now();
      const notice = buildSweepNotice(tally, run);
      // The ledger makes it one notice per run, however often this task is retried.
      await deliverOnce(runtime.ledger, runtime.topicArn, noticeRecord({ pk: `sweep#${home}#${runtime.region}`, sk: input.runId }, 'sweep', notice, holder, now), holder, now);
      notified = true;
    }
    return {
      checked: tally.checked,
      withFindings: tally.withFindings,
      failures: tally.failures,
      unreachable: outcome.unreachable.length,
      unfinished: outcome.failedCount + outcome.handedBack + Math.max(0, (input.plan?.shardCount ?? 0) - outcome.results),
      notified,
      ...(resumeKey !== undefined ? { resumeKey } : {}),
    };
  }

  return { plan, page, summarize };
}

/** A comma-separated list from the environment; undefined when absent or empty. */
function listFromEnv(value: string | undefined): string[] | undefined {
  const items = (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/** The tasks' dependencies from the function's environment, read once at cold start. */
export function sweepDepsFromEnv(env: NodeJS.ProcessEnv): SweepDeps {
  const bucket = env[SWEEP_BUCKET_ENV];
  if (bucket === undefined || bucket.trim() === '') throw new Error(`Environment variable ${SWEEP_BUCKET_ENV} must name the sweep's S3 bucket (given: ${JSON.stringify(bucket)})`);
  const regions = listFromEnv(env[SWEEP_REGIONS_ENV]);
  const targetOus = listFromEnv(env[SWEEP_TARGET_OUS_ENV]);
  return { bucket, ...(regions !== undefined ? { regions } : {}), ...(targetOus !== undefined ? { targetOus } : {}) };
}

let tasks: ReturnType<typeof makeSweepTasks> | undefined;
/** Built on first use, so that importing this module (the tests) reads no environment. */
const live = (): ReturnType<typeof makeSweepTasks> => (tasks ??= makeSweepTasks(runtimeFromEnv(process.env), sweepDepsFromEnv(process.env)));

/** Entry points: the state machine invokes each of them with its own function (index.plan, index.page, index.summarize). */
export const plan = (event: unknown, context?: TaskContext): Promise<PlanResult> => live().plan(event, context);
export const page = (event: unknown, context?: TaskContext): Promise<PageResult> => live().page(event, context);
export const summarize = (event: unknown): Promise<SummaryResult> => live().summarize(event);
