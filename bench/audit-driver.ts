/**
 * A stand-in for `sagemaker-guard audit` while the CLI does not exist: runs sweep() in report mode
 * (act: false, notify: false), as the audit command does, and prints one JSON summary on stdout.
 *
 *   tsx bench/audit-driver.ts [--since YYYY-MM-DD] [--kinds a,b] [--concurrency N] [--policy FILE]
 *
 * It reads the emulator from the AWS_* environment the benchmark passes (never real AWS) and sets
 * AWS_RETRY_MODE=adaptive before the clients are loaded, as the audit command does.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ResourceKind } from '../lambda/kinds/registry';

export const DRIVER_DEFAULT_CONCURRENCY = 16;

interface Summary {
  readonly described: number;
  readonly byKind: Record<string, number>;
  readonly decisions: Record<string, number>;
  readonly failures: number;
  readonly firstFailure?: string;
  readonly concurrency: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string' },
      kinds: { type: 'string' },
      concurrency: { type: 'string' },
      policy: { type: 'string' },
    },
  });
  process.env.AWS_RETRY_MODE = 'adaptive';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Loaded only now, so that the clients see AWS_RETRY_MODE and Powertools its settings.
  const { sweep, isFailure } = await import('../lambda/sweep/sweep');
  const { parseSettings } = await import('../lambda/core/settings');
  const { RESOURCE_KINDS } = await import('../lambda/kinds/registry');

  const kinds = values.kinds === undefined ? [...RESOURCE_KINDS] : (values.kinds.split(',') as ResourceKind[]);
  const concurrency = values.concurrency === undefined ? DRIVER_DEFAULT_CONCURRENCY : Number(values.concurrency);
  const policy: unknown = values.policy === undefined ? {} : JSON.parse(readFileSync(values.policy, 'utf8'));
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const runtime = {
    settings: parseSettings(policy, values.policy ?? 'the default policy'),
    topicArn: `arn:aws:sns:${region}:123456789012:unused`,
    region,
    now: () => new Date(),
  };

  const byKind: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  let described = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  for await (const item of sweep(
    { kinds, handle: { act: false, notify: false }, concurrency, correlationId: randomUUID(), ...(values.since !== undefined ? { since: new Date(values.since) } : {}) },
    runtime,
  )) {
    described++;
    byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
    decisions[item.decision] = (decisions[item.decision] ?? 0) + 1;
    if (isFailure(item)) {
      failures++;
      firstFailure ??= `${item.kind} ${item.name}: ${item.error.name}: ${item.error.message}`;
    }
  }
  const summary: Summary = { described, byKind, decisions, failures, ...(firstFailure !== undefined ? { firstFailure } : {}), concurrency };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`audit-driver: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
