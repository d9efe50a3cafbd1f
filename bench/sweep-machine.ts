/**
 * Step Functions sweep benchmark: `npm run bench:machine [-- --count N --accounts A --rate R --burst B]`.
 *
 * Seeds N SageMaker models (default 5,000: DEFAULT_COUNT; one in ten outside a VPC: non-compliant) spread evenly over A accounts in moto_server on
 * 127.0.0.1 (the hub 123456789012 and A-1 member accounts, reached through STS AssumeRole as the hub reaches them),
 * then runs the sweep's three tasks (lambda/handlers/sweep.ts makeSweepTasks) in this process, in the state machine's
 * order (test/support/sweep-driver.ts driveSweep, the Map's MaxConcurrency), with the hub's MemberAccounts.
 *
 * Throttling is injected: every SageMaker client of the run (the hub's own, from lambda/aws/clients.ts, and each
 * member account's, as MemberAccounts creates it) gets a middleware inside the SDK's retry loop that takes a token
 * from its account's bucket (R tokens a second, default 8: DEFAULT_RATE; a burst of R) for each Describe* attempt and, when the bucket is
 * empty, fails the attempt with a ThrottlingException (HTTP 400, $retryable.throttling) without sending it. The
 * clients use AWS_RETRY_MODE=adaptive (lambda/aws/clients.ts RETRY), so they must back off and slow down.
 *
 * The policy is report-only (mode "report", the emulator's blind spots off): nothing is stopped or deleted; each
 * non-compliant model gets its notice through the ledger and the topic, as the sweep's page task does.
 *
 * Reports wall time, resources/s, the API-rate bound (accounts × R / Describe calls per resource) and the ratio,
 * throttles injected, retries, tasks run, peak RSS of this process (sampled during the sweep) and the summary's
 * counts. Writes bench/results/sweep-machine.json. Exit 1 when the summary's counts are not the seeded ones, or on
 * any error. Never talks to real AWS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PromisePool } from '@supercharge/promise-pool';
import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { MiddlewareStack } from '@smithy/types';
import { AWS_ENV_PREFIXES, isolatedEnv, startEmulator, type Emulator } from '../tools/local/emulator';
import { createLedgerTable } from '../tools/local/aws-scene';
import { emulatorPolicy } from '../tools/local/settings';

const ROOT = resolve(__dirname, '..');
const HUB = '123456789012';
const MEMBERS = ['210987654321', '222233334444', '333344445555', '444455556666', '555566667777', '666677778888', '777788889999'] as const;
const MEMBER_ROLE = 'sagemaker-guard-member';
const LEDGER_TABLE = 'sagemaker-guard-ledger';
const BUCKET = 'sagemaker-guard-sweep';
/** One model in this many has no VpcConfig: it fails model.vpc. */
const NON_COMPLIANT_EVERY = 10;
const RSS_POLL_MS = 100;
/**
 * The defaults keep a run near four minutes on a 2-core machine and keep the injected throttle, not moto, the limit:
 * moto_server (one Python process) serves this sweep at about 60 models/s with 800 models and 35/s with 10,000 (its
 * calls slow as it holds more), so 4 accounts × 8 Describe/s = 32/s is below what it serves at 5,000. `--count 10000`
 * takes about 5.5 minutes and is bound by moto, not by the bucket, at any rate above about 9/s per account.
 */
const DEFAULT_COUNT = 5000;
const DEFAULT_RATE = 8;

// ---------------------------------------------------------------------------------------------------
// Options

interface Options {
  readonly count: number;
  readonly accounts: number;
  /** Describe* calls a second each account's bucket allows; 0 turns the injected throttling off. */
  readonly rate: number;
  readonly burst: number;
  readonly seedConcurrency: number;
  readonly mapConcurrency: number | undefined;
  readonly out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      count: { type: 'string', default: String(DEFAULT_COUNT) },
      accounts: { type: 'string', default: '4' },
      rate: { type: 'string', default: String(DEFAULT_RATE) },
      burst: { type: 'string' },
      'seed-concurrency': { type: 'string', default: '32' },
      'map-concurrency': { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results', 'sweep-machine.json') },
    },
  });
  const integer = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer of at least ${min} (given: ${raw})`);
    return value;
  };
  const accounts = integer('accounts', values.accounts, 1);
  if (accounts > MEMBERS.length + 1) throw new Error(`--accounts must be at most ${MEMBERS.length + 1} (given: ${accounts})`);
  const rate = integer('rate', values.rate, 0);
  return {
    count: integer('count', values.count, 1),
    accounts,
    rate,
    burst: values.burst === undefined ? Math.max(1, rate) : integer('burst', values.burst, 1),
    seedConcurrency: integer('seed-concurrency', values['seed-concurrency'], 1),
    mapConcurrency: values['map-concurrency'] === undefined ? undefined : integer('map-concurrency', values['map-concurrency'], 1),
    out: resolve(values.out),
  };
}

// ---------------------------------------------------------------------------------------------------
// Injected throttling: one token bucket per account, inside each SageMaker client's retry loop

/** A token bucket refilled continuously at `rate` a second up to `burst`: deterministic, by the clock alone. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface AccountCounters {
  /** Commands sent, by operation (each once, however many attempts). */
  readonly commands: Record<string, number>;
  /** Attempts that reached the throttle (the retry loop's tries), Describe* and others. */
  attempts: number;
  throttled: number;
  /** The SDK's own count: sum over successful commands of $metadata.attempts - 1. */
  sdkRetries: number;
}

class Throttle {
  readonly counters = new Map<string, AccountCounters>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly instrumented = new WeakSet();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  counterOf(account: string): AccountCounters {
    let counters = this.counters.get(account);
    if (counters === undefined) {
      counters = { commands: {}, attempts: 0, throttled: 0, sdkRetries: 0 };
      this.counters.set(account, counters);
    }
    return counters;
  }

  private bucketOf(account: string): TokenBucket {
    let bucket = this.buckets.get(account);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rate, this.burst);
      this.buckets.set(account, bucket);
    }
    return bucket;
  }

  /** Adds the counting and throttling middleware to `client` (once), for `account`. */
  instrument(client: SageMakerClient, account: string): void {
    if (this.instrumented.has(client)) return;
    this.instrumented.add(client);
    const counters = this.counterOf(account);
    const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
    // Once per command, outside the retry loop.
    stack.add(
      (next, context) => async (args) => {
        const operation = ((context as { commandName?: string }).commandName ?? 'unknown').replace(/Command$/, '');
        counters.commands[operation] = (counters.commands[operation] ?? 0) + 1;
        const result = await next(args);
        const attempts = (result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        counters.sdkRetries += attempts - 1;
        return result;
      },
      { step: 'initialize', priority: 'high', name: 'benchCountCommands' },
    );
    // Once per attempt: the retry middleware is finalizeRequest's first (priority high), this runs after it.
    stack.add(
      (next, context) => async (args) => {
        counters.attempts += 1;
        const operation = (context as { commandName?: string }).commandName ?? '';
        if (this.rate > 0 && operation.startsWith('Describe') && !this.bucketOf(account).take()) {
          counters.throttled += 1;
          throw Object.assign(new Error('Rate exceeded (injected by bench/sweep-machine.ts)'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
            $retryable: { throttling: true },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'benchInjectedThrottle' },
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Seeding: models in each account, through the member role as the hub reaches them

interface Seeded {
  readonly perAccount: Record<string, { models: number; nonCompliant: number }>;
  readonly total: number;
  readonly nonCompliant: number;
  readonly ms: number;
}

function emulatorConfig(emulator: Emulator) {
  return {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 3,
  };
}

async function sageMakerOf(emulator: Emulator, account: string): Promise<SageMakerClient> {
  const config = emulatorConfig(emulator);
  if (account === HUB) return new SageMakerClient(config);
  const sts = new STSClient(config);
  try {
    const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${MEMBER_ROLE}`, RoleSessionName: 'bench-seed' }));
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) throw new Error('moto returned no credentials');
    return new SageMakerClient({ ...config, credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken } });
  } finally {
    sts.destroy();
  }
}

const pad = (index: number): string => String(index).padStart(6, '0');

async function seed(emulator: Emulator, accounts: readonly string[], count: number, concurrency: number): Promise<Seeded> {
  const clients = await Promise.all(accounts.map((account) => sageMakerOf(emulator, account)));
  const perAccount: Seeded['perAccount'] = Object.fromEntries(accounts.map((account) => [account, { models: 0, nonCompliant: 0 }]));
  const tasks = Array.from({ length: count }, (_, index) => {
    const slot = index % accounts.length;
    const account = accounts[slot] as string | undefined;
    const client = clients[slot] as SageMakerClient | undefined;
    const entry = account === undefined ? undefined : perAccount[account];
    if (account === undefined || client === undefined || entry === undefined) throw new Error(`no account for slot ${slot}`);
    const open = index % NON_COMPLIANT_EVERY === 0;
    entry.models += 1;
    if (open) entry.nonCompliant += 1;
    return () =>
      client.send(
        new CreateModelCommand({
          ModelName: `bench-model-${pad(index)}`,
          ExecutionRoleArn: `arn:aws:iam::${account}:role/bench-sagemaker`,
          PrimaryContainer: { Image: `${account}.dkr.ecr.us-east-1.amazonaws.com/bench:latest`, ModelDataUrl: `s3://bench-artifacts-${account}/models/${pad(index)}/model.tar.gz` },
          ...(open ? {} : { VpcConfig: { Subnets: ['subnet-0bench0000000001'], SecurityGroupIds: ['sg-0bench0000000001'] } }),
          Tags: [{ Key: 'owner', Value: index % 2 === 0 ? 'team-a' : 'team-b' }],
        }),
      );
  });
  const started = performance.now();
  let done = 0;
  try {
    const { errors } = await PromisePool.withConcurrency(concurrency)
      .for(tasks)
      .process(async (task) => {
        await task();
        done += 1;
        if (done % 2500 === 0) console.log(`  seeded ${done}/${count} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      });
    const first = errors.at(0);
    if (first !== undefined) throw new Error(`seeding failed for ${errors.length} models; first: ${first.message}`);
  } finally {
    for (const client of clients) client.destroy();
  }
  const nonCompliant = Object.values(perAccount).reduce((sum, entry) => sum + entry.nonCompliant, 0);
  return { perAccount, total: count, nonCompliant, ms: performance.now() - started };
}

/** The ledger table (enforcement began now, before the models) and the notices' topic, in the hub account. */
async function hubResources(emulator: Emulator): Promise<{ topicArn: string }> {
  const dynamoDb = new DynamoDBClient(emulatorConfig(emulator));
  const sns = new SNSClient(emulatorConfig(emulator));
  try {
    await createLedgerTable(dynamoDb, LEDGER_TABLE);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'sagemaker-guard-notices' }))).TopicArn;
    if (topicArn === undefined) throw new Error('moto returned no TopicArn');
    return { topicArn };
  } finally {
    dynamoDb.destroy();
    sns.destroy();
  }
}

/** This process's AWS settings become the emulator's alone, before the guard's modules create their clients. */
function useEmulatorEnv(emulator: Emulator): void {
  const env = isolatedEnv(process.env, emulator.env, { AWS_RETRY_MODE: 'adaptive', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  for (const key of Object.keys(process.env)) {
    if (AWS_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) Reflect.deleteProperty(process.env, key);
  }
  Object.assign(process.env, env);
}

// ---------------------------------------------------------------------------------------------------

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sum = (values: Iterable<number>): number => [...values].reduce((total, value) => total + value, 0);

async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const accounts = [HUB, ...MEMBERS.slice(0, options.accounts - 1)];
  console.log(
    `sweep-machine benchmark: ${options.count} models over ${accounts.length} accounts (${accounts.join(', ')}), ` +
      (options.rate > 0 ? `Describe* throttled at ${options.rate}/s per account (burst ${options.burst})` : 'no injected throttling'),
  );
  const loadBefore = loadavg();
  let emulator: Emulator | undefined;
  try {
    emulator = await startEmulator();
    console.log(`  moto_server on ${emulator.endpoint}`);
    const { topicArn } = await hubResources(emulator);
    console.log('\n1. Seeding');
    const seeded = await seed(emulator, accounts, options.count, options.seedConcurrency);
    console.log(`  seeded ${seeded.total} models (${seeded.nonCompliant} outside a VPC) in ${seconds(seeded.ms)} (${((seeded.total / seeded.ms) * 1000).toFixed(0)}/s)`);

    useEmulatorEnv(emulator);
    // Loaded only now, so that the clients see AWS_RETRY_MODE and the emulator, and Powertools its settings.
    const { makeSweepTasks } = await import('../lambda/handlers/sweep');
    const { MemberAccounts } = await import('../lambda/aws/accounts');
    const { sageMaker, RETRY } = await import('../lambda/aws/clients');
    const { parseSettings } = await import('../lambda/core/settings');
    const { Ledger } = await import('../lambda/aws/ledger');
    const { driveSweep, MemoryObjects } = await import('../test/support/sweep-driver');
    const { SWEEP_MAX_CONCURRENCY } = await import('../lib/sweep-machine');
    if (RETRY.retryMode !== 'adaptive') throw new Error(`the guard's clients use retry mode ${RETRY.retryMode}, not adaptive`);

    const throttle = new Throttle(options.rate, options.burst);
    // The hub's own account is served by the function's own clients (sageMaker() outside withClients).
    throttle.instrument(sageMaker(), HUB);
    const members = new MemberAccounts({ homeAccount: HUB, homeRegion: emulator.region, memberRoleName: MEMBER_ROLE, sessionName: 'bench-sweep' });
    const clientsFor = members.clientsFor.bind(members);
    members.clientsFor = async (target) => {
      const clients = await clientsFor(target);
      if (clients !== undefined) throttle.instrument(clients.sageMaker, target.account);
      return clients;
    };
    const runtime = {
      settings: parseSettings(emulatorPolicy({ mode: 'report' }), 'the benchmark policy (report only)'),
      topicArn,
      region: emulator.region,
      account: HUB,
      accounts: members,
      ledger: new Ledger(LEDGER_TABLE),
      now: () => new Date(),
    };
    const store = new MemoryObjects();
    const tasks = makeSweepTasks(runtime, { bucket: BUCKET, objects: store, targetOus: ['ou-bench-members'], listAccounts: () => Promise.resolve(accounts.slice(1)) });
    const mapConcurrency = options.mapConcurrency ?? SWEEP_MAX_CONCURRENCY;

    console.log(`\n2. Sweep (plan -> shards, ${mapConcurrency} at once -> summarize)`);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const poller = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, RSS_POLL_MS);
    const started = performance.now();
    let drive;
    try {
      drive = await driveSweep(tasks, store, { bucket: BUCKET, runId: `bench-${Date.now()}`, concurrency: mapConcurrency });
    } finally {
      clearInterval(poller);
    }
    const wallMs = performance.now() - started;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    sageMaker().destroy();

    // The numbers
    const counters = [...throttle.counters.entries()];
    const describeCalls = sum(counters.map(([, c]) => sum(Object.entries(c.commands).filter(([op]) => op.startsWith('Describe')).map(([, n]) => n))));
    const commands = sum(counters.map(([, c]) => sum(Object.values(c.commands))));
    const attempts = sum(counters.map(([, c]) => c.attempts));
    const throttled = sum(counters.map(([, c]) => c.throttled));
    const sdkRetries = sum(counters.map(([, c]) => c.sdkRetries));
    const describesPerResource = describeCalls / seeded.total;
    const resourcesPerSecond = (seeded.total / wallMs) * 1000;
    const boundPerSecond = options.rate > 0 ? (accounts.length * options.rate) / describesPerResource : undefined;
    const byOperation: Record<string, number> = {};
    for (const [, c] of counters) for (const [op, n] of Object.entries(c.commands)) byOperation[op] = (byOperation[op] ?? 0) + n;
    const { summary } = drive;
    const pages = sum(drive.children.map((child) => child.output.progress.pages));
    const expected = { checked: seeded.total, withFindings: seeded.nonCompliant, failures: 0, unreachable: 0, unfinished: 0 };
    const mismatches = (Object.keys(expected) as (keyof typeof expected)[]).filter((key) => summary[key] !== expected[key]);

    const lines: [string, string][] = [
      ['resources', `${seeded.total} models over ${accounts.length} accounts (${seeded.nonCompliant} non-compliant), report-only policy`],
      ['wall time', `${seconds(wallMs)} (plan, ${drive.children.length} shards, summary)`],
      ['resources/s', resourcesPerSecond.toFixed(1)],
      [
        'API-rate bound',
        boundPerSecond === undefined
          ? 'none (no injected throttling)'
          : `${boundPerSecond.toFixed(1)} resources/s (${accounts.length} accounts × ${options.rate} Describe/s ÷ ${describesPerResource.toFixed(2)} Describe calls per resource)`,
      ],
      ['ratio to the bound', boundPerSecond === undefined ? 'n/a' : `${((resourcesPerSecond / boundPerSecond) * 100).toFixed(0)} %`],
      ['throttles injected', `${throttled} (of ${attempts} attempts through the throttle)`],
      ['retries', `${attempts - commands} attempts beyond the first (${sdkRetries} on commands that succeeded, by $metadata.attempts)`],
      ['SageMaker calls', Object.entries(byOperation).sort(([a], [b]) => a.localeCompare(b)).map(([op, n]) => `${op} ${n}`).join(', ')],
      ['tasks run', `${drive.tasks + 2} (1 plan, ${drive.tasks} page tasks over ${pages} List pages, 1 summarize)`],
      ['peak RSS', `${mib(peakRss)} (this process, sampled every ${RSS_POLL_MS} ms; ${mib(rssBefore)} when the sweep began, modules loaded)`],
      ['summary', `checked ${summary.checked}, with findings ${summary.withFindings}, failures ${summary.failures}, unreachable ${summary.unreachable}, unfinished ${summary.unfinished}, notified ${String(summary.notified)}`],
      ['counts', mismatches.length === 0 ? 'match the seeded models' : `MISMATCH: ${mismatches.map((key) => `${key} ${summary[key]} != ${expected[key]}`).join('; ')}`],
    ];
    console.log('');
    for (const [label, value] of lines) console.log(`${label.padEnd(20)} ${value}`);

    mkdirSync(resolve(options.out, '..'), { recursive: true });
    const report = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      options: { count: options.count, accounts: options.accounts, rate: options.rate, burst: options.burst, seedConcurrency: options.seedConcurrency, mapConcurrency },
      policy: 'report (tools/local/settings.ts emulatorPolicy({ mode: "report" })): nothing stopped or deleted; notices through the ledger',
      throttling:
        options.rate > 0
          ? `token bucket per account, ${options.rate} Describe* attempts/s, burst ${options.burst}; empty: ThrottlingException (400, $retryable.throttling) before sending; AWS_RETRY_MODE=adaptive (maxAttempts ${RETRY.maxAttempts})`
          : 'none',
      seeding: { ms: Math.round(seeded.ms), perSecond: Math.round((seeded.total / seeded.ms) * 1000), perAccount: seeded.perAccount, nonCompliant: seeded.nonCompliant },
      sweep: {
        wallMs: Math.round(wallMs),
        resourcesPerSecond: Number(resourcesPerSecond.toFixed(1)),
        apiRateBoundPerSecond: boundPerSecond === undefined ? null : Number(boundPerSecond.toFixed(1)),
        ratioToBound: boundPerSecond === undefined ? null : Number((resourcesPerSecond / boundPerSecond).toFixed(3)),
        describeCallsPerResource: Number(describesPerResource.toFixed(3)),
        throttlesInjected: throttled,
        attempts,
        commands,
        retries: attempts - commands,
        retriesOnSucceededCommands: sdkRetries,
        callsByOperation: byOperation,
        byAccount: Object.fromEntries(counters.map(([account, c]) => [account, { commands: c.commands, attempts: c.attempts, throttled: c.throttled }])),
        tasks: { total: drive.tasks + 2, plan: 1, page: drive.tasks, summarize: 1 },
        shards: drive.plan.shardCount,
        listPages: pages,
        peakRssBytes: peakRss,
        rssAtStartBytes: rssBefore,
        rssMethod: `process.memoryUsage().rss of this process (the tasks run in process), sampled every ${RSS_POLL_MS} ms`,
      },
      summary,
      expected,
      ok: mismatches.length === 0,
    };
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${options.out.replace(`${ROOT}/`, '')}`);
    if (mismatches.length > 0) {
      console.error(`bench:machine failed: the summary's counts are not the seeded ones (${mismatches.join(', ')})`);
      process.exitCode = 1;
    }
  } finally {
    await emulator?.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`bench:machine failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
