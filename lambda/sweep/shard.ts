/**
 * One part of the Step Functions sweep: one kind in one account and region (a "shard"), a few List pages per
 * task. Each task resumes from the cursor the one before it returned, checks up to `maxPages` pages (or until the
 * function's time runs short) through the responder's own pipeline, and returns where it stopped and what it found.
 */
import { MemberAccessError } from '../aws/accounts';
import { withClients } from '../aws/clients';
import { SweepTally, type TallyData } from '../core/summary';
import { accessOf, type ResourceKind } from '../kinds/registry';
import type { Runtime } from '../pipeline/handle';
import { logger } from '../powertools';
import { checkPage, isFailure, type AccessByKind } from './sweep';
import type { HandleOptions } from '../pipeline/steps';

export interface SweepShard {
  readonly account: string;
  readonly region: string;
  readonly kind: ResourceKind;
}

/** An account the sweep could not enter: its member role is missing or does not trust the hub. */
export interface Unreachable {
  readonly roleArn: string;
  readonly error: string;
}

/** Where a shard's sweep stands after a task: the state machine passes it to the next task unchanged. */
export interface ShardProgress {
  readonly shard: SweepShard;
  /** Set when the task stopped because the run's deadline passed: the state machine hands the cursor back. */
  readonly handBack?: boolean;
  /** The next page's cursor; absent once the listing is done. */
  readonly cursor?: string;
  readonly done: boolean;
  /** Pages checked so far, over all of the shard's tasks. */
  readonly pages: number;
  /** Tasks run so far: the state machine hands the cursor back when a child's history would grow too long. */
  readonly tasks: number;
  readonly tally: TallyData;
  readonly unreachable?: Unreachable;
}

export interface ShardOptions {
  readonly handle: HandleOptions;
  readonly concurrency: number;
  readonly correlationId: string;
  /** Pages one task checks at most: keeps each task well inside the function's time limit. */
  readonly maxPages: number;
  /** Asked after each page: true ends the task there (the function's time is running short). */
  readonly shouldStop: () => boolean;
  /** When the run's shards stop and hand their cursors back, so the summary still runs inside the run's timeout. */
  readonly deadline?: Date;
  readonly now?: () => Date;
}

/** The progress a shard starts from. */
export function startOf(shard: SweepShard): ShardProgress {
  return { shard, done: false, pages: 0, tasks: 0, tally: new SweepTally().toData() };
}

/**
 * Runs one task of a shard from `progress`. A member role that cannot be assumed ends the shard as unreachable
 * (the summary names it); a listing error is thrown, for the state machine to retry (throttling) or record.
 */
export async function sweepShard(progress: ShardProgress, options: ShardOptions, runtime: Runtime, accessFor: AccessByKind = accessOf): Promise<ShardProgress> {
  const { shard } = progress;
  const now = options.now ?? (() => new Date());
  const pastDeadline = (): boolean => options.deadline !== undefined && now().getTime() >= options.deadline.getTime();
  if (pastDeadline()) return { ...progress, handBack: true };
  const tally = SweepTally.from(progress.tally);
  let clients;
  try {
    clients = await clientsOf(shard, runtime);
  } catch (error) {
    // A passing fault (STS throttled, the network) is thrown: Step Functions retries the task.
    if (!(error instanceof MemberAccessError) || !error.refused) throw error;
    logger.error('Sweep cannot enter the account', { shard, roleArn: error.roleArn, error: { name: error.causeName, message: error.causeMessage } });
    return { ...progress, done: true, tasks: progress.tasks + 1, unreachable: { roleArn: error.roleArn, error: `${error.causeName}: ${error.causeMessage}` } };
  }
  const run = async (): Promise<ShardProgress> => {
    const access = await accessFor(shard.kind);
    let pages = 0;
    let cursor = progress.cursor;
    for await (const page of access.list(cursor !== undefined ? { startingToken: cursor } : {})) {
      for (const item of await checkPage(shard.kind, page.names, access, options, runtime)) {
        tally.add(isFailure(item) ? { ...item, findings: [] } : item);
        if (isFailure(item)) logger.error('Sweep could not check a resource', { shard, resource: { kind: item.kind, name: item.name }, error: item.error });
      }
      pages += 1;
      cursor = page.nextToken;
      if (cursor === undefined) break;
      if (pages >= options.maxPages || options.shouldStop() || pastDeadline()) break;
    }
    const done = cursor === undefined;
    return {
      shard,
      ...(done ? {} : { cursor }),
      ...(!done && pastDeadline() ? { handBack: true } : {}),
      done,
      pages: progress.pages + pages,
      tasks: progress.tasks + 1,
      tally: tally.toData(),
    };
  };
  return clients === undefined ? run() : withClients(clients, run);
}

/**
 * The clients of the shard's account and region: undefined for the function's own (its default clients). A
 * single-account guard has no member role, so another account or region is refused, not swept with the wrong clients.
 */
async function clientsOf(shard: SweepShard, runtime: Runtime): Promise<Awaited<ReturnType<NonNullable<Runtime['accounts']>['clientsFor']>>> {
  if (runtime.accounts !== undefined) return runtime.accounts.clientsFor({ account: shard.account, region: shard.region });
  if (shard.account === runtime.account && shard.region === runtime.region) return undefined;
  throw new Error(
    `the sweep was asked for account ${shard.account} in ${shard.region}, but this guard runs in ${runtime.account ?? 'an unknown account'} in ${runtime.region} without a member role`,
  );
}
