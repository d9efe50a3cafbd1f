/**
 * Drives the sweep's three tasks in the order the state machine (lib/sweep-machine.ts) runs them, for tests and the
 * bench, where moto's Step Functions can run the definition with canned answers but not the tasks' code: Plan, then each shard as a child
 * execution (SweepPage until its progress is done or MAX_TASKS_PER_CHILD tasks, a task error caught into
 * `failure` as the Catch does), then the Map's results written as its ResultWriter writes them, then Summarize.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PromisePool } from '@supercharge/promise-pool';
import type { getText, putJson } from '../../lambda/aws/objects';
import type { PageResult, PlanResult, SummaryResult } from '../../lambda/handlers/sweep';
import type { ShardProgress } from '../../lambda/sweep/shard';
import { MAX_TASKS_PER_CHILD } from '../../lib/sweep-machine';

export interface ObjectStore {
  readonly getText: typeof getText;
  readonly putJson: typeof putJson;
}

/** S3 in memory: what the tasks write, by bucket and key. */
export class MemoryObjects implements ObjectStore {
  readonly objects = new Map<string, string>();
  readonly getText = async (bucket: string, key: string): Promise<string> => {
    const text = this.objects.get(`${bucket}/${key}`);
    if (text === undefined) throw Object.assign(new Error(`The specified key does not exist: ${key}`), { name: 'NoSuchKey' });
    return Promise.resolve(text);
  };
  readonly putJson = async (bucket: string, key: string, value: unknown): Promise<void> => {
    this.objects.set(`${bucket}/${key}`, JSON.stringify(value));
    return Promise.resolve();
  };
  json(bucket: string, key: string): unknown {
    const text = this.objects.get(`${bucket}/${key}`);
    return text === undefined ? undefined : JSON.parse(text);
  }
}

/** S3 itself (moto's), for what the driver reads and writes in place of Step Functions. */
export function s3Objects(client: S3Client): ObjectStore {
  return {
    getText: async (bucket, key) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body?.transformToString('utf8') ?? '';
    },
    putJson: async (bucket, key, value) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value) }));
    },
  };
}

/** The three tasks as the state machine calls them: in process (makeSweepTasks) or bundled, each call a Lambda invocation. */
export interface SweepTasks {
  plan(event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<PlanResult>;
  page(event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<PageResult>;
  summarize(event: unknown): Promise<SummaryResult>;
}

export interface DriveOptions {
  readonly bucket: string;
  readonly runId: string;
  readonly startedAt?: string;
  readonly input?: Record<string, unknown>;
  /** Shards run at once (the Map's MaxConcurrency). @default 4 */
  readonly concurrency?: number;
  readonly stateMachineArn?: string;
  readonly context?: { getRemainingTimeInMillis(): number };
}

export interface Drive {
  readonly plan: PlanResult;
  readonly children: readonly { readonly input: unknown; readonly output: ChildState }[];
  readonly summary: SummaryResult;
  readonly tasks: number;
}

interface ChildState {
  runId: string;
  deadline?: string;
  progress: ShardProgress;
  handBack?: boolean;
  failure?: { Error: string; Cause: string };
}

export async function driveSweep(tasks: SweepTasks, store: ObjectStore, options: DriveOptions): Promise<Drive> {
  const startedAt = options.startedAt ?? new Date().toISOString();
  const stateMachineArn = options.stateMachineArn ?? 'arn:aws:states:us-east-1:123456789012:stateMachine:SweepMachine';
  const plan = await tasks.plan({ runId: options.runId, startedAt, input: options.input ?? {} }, options.context);
  const items = JSON.parse(await store.getText(options.bucket, plan.itemsKey)) as ShardProgress[];
  let taskCount = 0;
  const { results } = await PromisePool.withConcurrency(options.concurrency ?? 4)
    .for(items)
    .useCorrespondingResults()
    .process(async (item) => {
      // The Map's ItemSelector.
      const input = { progress: item, runId: plan.runId, deadline: plan.deadline };
      let state: ChildState = input;
      for (;;) {
        taskCount += 1;
        try {
          state = await tasks.page(state, options.context);
        } catch (error) {
          state = { ...state, failure: { Error: (error as Error).name, Cause: (error as Error).message } };
          break;
        }
        // The Choice: done, the run's deadline, the child's history.
        if (state.progress.done || state.handBack === true || state.progress.tasks >= MAX_TASKS_PER_CHILD) break;
      }
      return { input, output: state };
    });
  const children = results.filter((result): result is { input: { progress: ShardProgress; runId: string; deadline: string }; output: ChildState } => typeof result !== 'symbol');
  // What the ResultWriter writes: a manifest naming one file of succeeded children (each child ends in a Succeed or
  // the Pass after its Catch, so none fails).
  const prefix = `results/${options.runId}-map`;
  await store.putJson(
    options.bucket,
    `${prefix}/SUCCEEDED_0.json`,
    children.map((child) => ({ Status: 'SUCCEEDED', Input: JSON.stringify(child.input), Output: JSON.stringify(child.output) })),
  );
  await store.putJson(options.bucket, `${prefix}/manifest.json`, {
    DestinationBucket: options.bucket,
    MapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:SweepMachine/Shards:${options.runId}`,
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: 0 }] },
  });
  const summary = await tasks.summarize({
    runId: plan.runId,
    startedAt,
    stateMachineArn,
    plan,
    results: { MapRunArn: 'arn:map-run', ResultWriterDetails: { Bucket: options.bucket, Key: `${prefix}/manifest.json` } },
  });
  return { plan, children, summary, tasks: taskCount };
}
