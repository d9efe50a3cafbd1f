/**
 * Which endpoint configs endpoints use, for the status the endpoint config adapter gives a config (the API gives
 * it none). SageMaker has no reverse lookup: ListEndpoints, then DescribeEndpoint of each (its config, and the one
 * an update is deploying). One scan answers for every config, and it is kept for SCAN_TTL_MS in the module (a warm
 * function's containers keep it across invocations), so that a sweep over N configs scans the endpoints once,
 * not N times. A scan is of one account and region: it is kept per SageMaker client (sageMaker(), which withClients
 * points at a member account's client in the hub's responders, the sweep and `audit --role-name`), so one account's
 * endpoints never answer for another's configs. A stale answer can only delay or be corrected: act() checks again, unmemoized, right before
 * DeleteEndpointConfig (lambda/aws/endpoints.ts endpointsServing), so a config that came into use is never deleted
 * on the strength of an old scan; a config that fell out of use is acted on at the next event or sweep.
 */
import { DescribeEndpointCommand, paginateListEndpoints, type EndpointStatus, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PromisePool } from '@supercharge/promise-pool';
import { sageMaker } from '../../aws/clients';
import { describeOrUndefined, LIST_PAGE_SIZE } from '../../aws/sagemaker';

export const SCAN_TTL_MS = 60_000;
const CONCURRENCY = 5;
/** As in lambda/aws/endpoints.ts: endpoints in these statuses serve no traffic and are on their way out. */
const NOT_SERVING: ReadonlySet<EndpointStatus | undefined> = new Set<EndpointStatus | undefined>(['Deleting', 'Failed']);

interface Scan {
  readonly at: number;
  readonly users: Promise<ReadonlyMap<string, readonly string[]>>;
}

/**
 * The scan of each account and region, keyed by its SageMaker client: a client is created for one account's
 * credentials and one region (lambda/aws/accounts.ts), and a client no longer used takes its scan with it.
 */
let memo = new WeakMap<SageMakerClient, Scan>();

/** Forgets every memoized scan (tests; and act() after it found a config in use that the scan said was not). */
export function clearEndpointScan(): void {
  memo = new WeakMap();
}

async function scanEndpoints(client: SageMakerClient): Promise<ReadonlyMap<string, readonly string[]>> {
  const endpoints: string[] = [];
  for await (const page of paginateListEndpoints({ client, pageSize: LIST_PAGE_SIZE }, { MaxResults: LIST_PAGE_SIZE })) {
    for (const summary of page.Endpoints ?? []) {
      if (summary.EndpointName !== undefined && !NOT_SERVING.has(summary.EndpointStatus)) endpoints.push(summary.EndpointName);
    }
  }
  const users = new Map<string, string[]>();
  const { errors } = await PromisePool.withConcurrency(CONCURRENCY)
    .for(endpoints)
    .process(async (name) => {
      const endpoint = await describeOrUndefined(() => client.send(new DescribeEndpointCommand({ EndpointName: name })));
      if (endpoint === undefined) return;
      for (const config of new Set([endpoint.EndpointConfigName, endpoint.PendingDeploymentSummary?.EndpointConfigName])) {
        if (config === undefined || config === '') continue;
        users.set(config, [...(users.get(config) ?? []), name].sort());
      }
    });
  // A scan that failed part-way must not read as "unused": that would let a config in use be judged deletable.
  if (errors.length > 0) throw errors[0]?.raw ?? new Error('an endpoint lookup failed');
  return users;
}

/**
 * The endpoints (not being deleted, not failed) that use the endpoint config, in the account and region the current
 * work is about (sageMaker()), from a scan of that account and region at most SCAN_TTL_MS old.
 */
export async function endpointsUsing(configName: string, now: number = Date.now()): Promise<readonly string[]> {
  const client = sageMaker();
  let scan = memo.get(client);
  if (scan === undefined || now - scan.at >= SCAN_TTL_MS || now < scan.at) {
    const fresh: Scan = { at: now, users: scanEndpoints(client) };
    const scans = memo;
    scans.set(client, fresh);
    scan = fresh;
    // A failed scan is not kept: the next call scans again.
    void fresh.users.catch(() => {
      if (scans.get(client) === fresh) scans.delete(client);
    });
  }
  return (await scan.users).get(configName) ?? [];
}
