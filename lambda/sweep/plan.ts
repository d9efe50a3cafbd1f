/**
 * What a Step Functions sweep covers, and how it is cut up: one shard per kind in each account and region. Pure:
 * the task that runs it (lambda/handlers/sweep.ts) reads the accounts and writes the shards for the Map to read.
 */
import { ACCOUNT_ID, REGION_NAME } from '../core/aws-names';
import type { ResourceKind } from '../kinds/registry';
import { startOf, type ShardProgress } from './shard';

/** The S3 prefix of a run's objects: its shards, the Map's results, and what is left to resume. */
export function runPrefix(runId: string): string {
  return `runs/${runId}/`;
}

/**
 * How long after its start a run's shards stop and hand their cursors back, so the summary runs and says what is left
 * well before the state machine's own timeout (SWEEP_RUN_TIMEOUT, 23 hours) would end the run without one.
 */
export const RUN_DEADLINE_MS = 20 * 3_600_000;

/** Step Functions execution names (and so the run ids) are 1 to 80 of letters, digits, - and _. */
export const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The key of the shards a resumed run reads: one a summary wrote, in this bucket, under runs/<id>/. */
export const RESUME_KEY = /^runs\/[A-Za-z0-9_-]{1,80}\/resume\.json$/;

export interface PlanScope {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly kinds: readonly ResourceKind[];
}

/**
 * Every (account, region, kind), accounts and regions deduplicated and sorted, in a stable order that spreads the
 * Map's first shards over the accounts and regions (kind by kind, then region, then account), so the 40 shards
 * swept at once are not all one account's, competing with its users' own SageMaker calls and the responders.
 * A malformed account id or region is refused here, naming it, before it becomes a role ARN.
 * @throws Error on an empty scope or a malformed account or region
 */
export function planShards(scope: PlanScope): ShardProgress[] {
  const accounts = [...new Set(scope.accounts)].sort();
  const regions = [...new Set(scope.regions)].sort();
  const badAccount = accounts.find((account) => !ACCOUNT_ID.test(account));
  if (badAccount !== undefined) throw new Error(`the sweep's accounts must be 12-digit account ids (given: ${JSON.stringify(badAccount)})`);
  const badRegion = regions.find((region) => !REGION_NAME.test(region));
  if (badRegion !== undefined) throw new Error(`the sweep's regions must be region names such as us-east-1 (given: ${JSON.stringify(badRegion)})`);
  if (accounts.length === 0 || regions.length === 0 || scope.kinds.length === 0) {
    throw new Error(`the sweep has nothing to cover: ${accounts.length} accounts, ${regions.length} regions, ${scope.kinds.length} kinds`);
  }
  return scope.kinds.flatMap((kind) => regions.flatMap((region) => accounts.map((account) => startOf({ account, region, kind }))));
}

/**
 * Shards to run again, from a run that did not finish them: where each stopped (its cursor), with new counts
 * (the new run reports what it checks itself).
 */
export function resumeShards(left: readonly ShardProgress[]): ShardProgress[] {
  return left.map((progress) => ({ ...startOf(progress.shard), ...(progress.cursor !== undefined ? { cursor: progress.cursor } : {}) }));
}
