/**
 * What a Step Functions sweep's Distributed Map wrote (its ResultWriter: a manifest, then one JSON array of child
 * executions per status), read back into one outcome: the merged tally, the shards finished, the accounts it could
 * not enter, the shards that failed or were handed back, and what is left to resume. Pure: the summary task reads
 * the objects and gives them here one at a time, so memory holds one result file's records, not the whole run.
 */
import { z } from 'zod';
import { SEVERITY_ORDER } from '../controls/types';
import { SweepTally, MAX_SUMMARY_LINES } from '../core/summary';
import { isResourceKind, type ResourceKind } from '../kinds/registry';
import type { ShardProgress, SweepShard } from './shard';

const resultFile = z.object({ Key: z.string().min(1) });
/** The manifest.json a Distributed Map's ResultWriter writes once its children have ended. */
export const manifestSchema = z.object({
  DestinationBucket: z.string().min(1),
  MapRunArn: z.string().min(1),
  ResultFiles: z.object({
    SUCCEEDED: z.array(resultFile).default([]),
    FAILED: z.array(resultFile).default([]),
    PENDING: z.array(resultFile).default([]),
  }),
});
export type ResultManifest = z.infer<typeof manifestSchema>;

/** One child execution in a result file; Input and Output are JSON text. */
const childRecordSchema = z.object({
  Status: z.string(),
  Input: z.string().optional(),
  Output: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});
export const resultRecordsSchema = z.array(childRecordSchema);

const counts = z.record(z.string(), z.number().int().nonnegative());
const line = z.object({ kind: z.string(), name: z.string(), status: z.string().optional(), decision: z.string(), action: z.string(), failed: z.array(z.string()) });
const exemption = z.object({ kind: z.string(), name: z.string(), source: z.string(), reason: z.string(), expires: z.string().optional(), controls: z.array(z.string()) });
const kind = z.string().refine(isResourceKind, { message: 'not a resource kind of this guard' }) as unknown as z.ZodType<ResourceKind>;

/** A shard's progress as the sweep task returns it (lambda/sweep/shard.ts): checked before anything is counted. */
export const progressSchema = z.object({
  shard: z.object({ account: z.string(), region: z.string(), kind }),
  cursor: z.string().optional(),
  handBack: z.boolean().optional(),
  done: z.boolean(),
  pages: z.number().int().nonnegative(),
  tasks: z.number().int().nonnegative(),
  tally: z.object({
    checked: z.number().int().nonnegative(),
    byDecision: counts,
    byControl: counts,
    lines: z.array(line.extend({ kind })),
    withFindings: z.number().int().nonnegative(),
    failures: z.number().int().nonnegative(),
    highest: z.enum(SEVERITY_ORDER).optional(),
    notified: z.number().int().nonnegative(),
    exemptionCount: z.number().int().nonnegative(),
    exemptions: z.array(exemption.extend({ kind })),
    existing: z.number().int().nonnegative(),
    enforcementSince: z.string().optional(),
  }),
  unreachable: z.object({ roleArn: z.string(), error: z.string() }).optional(),
});

/** What a child execution of the Map ends with: the state the loop carried, and the failure it caught. */
const childStateSchema = z.object({
  progress: progressSchema,
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export interface UnreachableTarget {
  readonly account: string;
  readonly region: string;
  readonly roleArn: string;
  readonly error: string;
}

export interface FailedShard {
  readonly shard: SweepShard;
  readonly error: string;
}

/** Merges a run's results, one record at a time. */
export class RunOutcome {
  readonly tally = new SweepTally();
  /** Child executions read, of every status. */
  results = 0;
  finished = 0;
  /** Shards whose child stopped before the end of the listing to keep its history short (their cursor is kept). */
  handedBack = 0;
  private readonly unreachableByTarget = new Map<string, UnreachableTarget>();
  failedCount = 0;
  readonly failed: FailedShard[] = [];
  /** Records the summary could not read (not this sweep's shape): counted and named, never silently dropped. */
  unreadable = 0;
  readonly unreadableSamples: string[] = [];
  readonly left: ShardProgress[] = [];

  get unreachable(): UnreachableTarget[] {
    return [...this.unreachableByTarget.values()].sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  }

  /** One child execution's record from a result file. */
  addRecord(record: z.infer<typeof childRecordSchema>): void {
    this.results += 1;
    if (record.Status === 'SUCCEEDED') {
      const state = parseState(record.Output);
      if (state === undefined) {
        this.noteUnreadable(`a succeeded child's output is not a shard's progress: ${clip(record.Output)}`);
        return;
      }
      this.tally.merge(state.progress.tally);
      const { progress, failure } = state;
      if (progress.unreachable !== undefined) {
        const { account, region } = progress.shard;
        this.unreachableByTarget.set(`${account}/${region}`, { account, region, ...progress.unreachable });
        // A resumed run tries it again (the role may be back).
        this.left.push(progress);
      } else if (failure !== undefined) {
        this.fail(progress, `${failure.Error ?? 'Error'}: ${causeText(failure.Cause)}`);
      } else if (progress.done) {
        this.finished += 1;
      } else {
        this.handedBack += 1;
        this.left.push(progress);
        this.line(progress, progress.handBack === true ? "stopped at the run's deadline; it resumes from its cursor" : 'stopped before its history filled up; it resumes from its cursor');
      }
      return;
    }
    // FAILED, TIMED_OUT, ABORTED, PENDING: the child's last state is lost; it runs again from where it began.
    const state = parseState(record.Input);
    if (state === undefined) {
      this.noteUnreadable(`a ${record.Status.toLowerCase()} child's input is not a shard: ${clip(record.Input)}`);
      return;
    }
    // Its counts are lost with its last state (the per-resource notices it sent were sent).
    this.fail(state.progress, `the child execution ${record.Status.toLowerCase()}${record.Error !== undefined ? ` (${record.Error}: ${causeText(record.Cause)})` : ''}; what it checked is not counted here`);
  }

  private fail(progress: ShardProgress, error: string): void {
    this.failedCount += 1;
    this.line(progress, error);
    this.left.push(progress);
  }

  private line(progress: ShardProgress, error: string): void {
    if (this.failed.length < MAX_SUMMARY_LINES) this.failed.push({ shard: progress.shard, error });
  }

  private noteUnreadable(sample: string): void {
    this.unreadable += 1;
    if (this.unreadableSamples.length < 5) this.unreadableSamples.push(sample);
  }
}

function parseState(text: string | undefined): z.infer<typeof childStateSchema> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = childStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A task's error cause as one readable line: a Lambda function's error reaches Step Functions as JSON (errorType,
 * errorMessage, trace): its message, without the stack.
 */
export function causeText(cause: string | undefined): string {
  if (cause === undefined || cause === '') return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the cause as given.
  }
  return clip(cause);
}

function clip(text: string | undefined): string {
  if (text === undefined) return '(none)';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
