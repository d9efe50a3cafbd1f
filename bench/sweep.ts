/**
 * Sweep benchmark: `npm run bench:sweep [-- --count N --shell-sample K | --shell-full]`.
 *
 * Seeds N SageMaker resources in moto_server on 127.0.0.1, then on the same data times
 *  - the benchmark procedures' method: bench/shell-audit.sh, one `aws sagemaker describe-*` process per
 *    resource, sequentially (on a sample of K describes, extrapolated to all, unless --shell-full);
 *  - the audit: `sagemaker-guard audit` (or bench/audit-driver.ts while the CLI does not exist), once as
 *    is (training jobs: InProgress only) and once with --since (every training job: the same work);
 * and reports wall time, time per resource and peak memory of each, and the ratio. Writes
 * bench/results/sweep.json. Slow numbers never fail it; errors do (exit 1). Never talks to real AWS.
 *
 * The guard's functions need their ledger (a DynamoDB table, LEDGER_TABLE): it is created in moto
 * (tools/local/aws-scene.ts createLedgerTable) and named to the audit runs as a deployment would. The
 * audit reports only (act and notify off), so it never reads or writes the ledger, which only the
 * scheduled sweep and the responders use; the benchmark counts the table's items after the runs to show it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PromisePool } from '@supercharge/promise-pool';
import { CreateModelCommand, CreateNotebookInstanceCommand, CreateTrainingJobCommand, SageMakerClient, type Tag } from '@aws-sdk/client-sagemaker';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { isolatedEnv, startEmulator, type Emulator } from '../tools/local/emulator';
import { createKmsKey, createLedgerTable, createNetwork, type Network } from '../tools/local/aws-scene';
import { LEDGER_TABLE_ENV } from '../lambda/ledger/schema';
import { emulatorPolicy } from '../tools/local/settings';

const ROOT = resolve(__dirname, '..');
const GNU_TIME = '/usr/bin/time';
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/bench-sagemaker`;
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/bench:latest`;

// ---------------------------------------------------------------------------------------------------
// Options

interface Options {
  readonly count: number;
  readonly shellSample: number;
  readonly shellFull: boolean;
  readonly seedConcurrency: number;
  readonly audit: 'auto' | 'cli' | 'driver';
  readonly out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      count: { type: 'string', default: '10000' },
      'shell-sample': { type: 'string', default: '300' },
      'shell-full': { type: 'boolean', default: false },
      'seed-concurrency': { type: 'string', default: '32' },
      audit: { type: 'string', default: 'auto' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results', 'sweep.json') },
    },
  });
  const positive = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer (given: ${raw})`);
    return value;
  };
  if (values.audit !== 'auto' && values.audit !== 'cli' && values.audit !== 'driver') throw new Error(`--audit must be auto, cli or driver (given: ${values.audit})`);
  return {
    count: positive('count', values.count),
    shellSample: positive('shell-sample', values['shell-sample']),
    shellFull: values['shell-full'],
    seedConcurrency: positive('seed-concurrency', values['seed-concurrency']),
    audit: values.audit,
    out: resolve(values.out),
  };
}

// ---------------------------------------------------------------------------------------------------
// Process measurement: wall time, GNU time's max RSS, and the process tree's RSS polled from /proc

interface Measured {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  /** GNU time's "Maximum resident set size": the largest single process of the tree, in KiB. */
  readonly maxRssKb: number | undefined;
  /** Highest sum of VmRSS over every process of the tree, sampled every POLL_MS from /proc, in KiB. */
  readonly peakTreeRssKb: number;
  readonly stdout: string;
  readonly stderr: string;
}

const POLL_MS = 50;
/** Children we started and have not reaped: killed (by process group) on SIGINT/SIGTERM. */
const live = new Set<ChildProcess>();

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] !== undefined ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** RSS of the tree under pid; with skipRoot, the root itself (the GNU time wrapper) is not counted. */
function treeRssKb(pid: number, skipRoot: boolean): number {
  let total = skipRoot ? 0 : rssKb(pid);
  for (const child of childrenOf(pid)) total += treeRssKb(child, false);
  return total;
}

function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeLimitMs: number): Promise<Measured> {
  const timeFile = join(tmpdir(), `bench-time-${process.pid}-${Date.now()}.txt`);
  const wrapped = existsSync(GNU_TIME);
  const [file, argv] = wrapped ? [GNU_TIME, ['-v', '-o', timeFile, command, ...args]] : [command, [...args]];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let peakTreeRssKb = 0;
  const poll = (): void => {
    if (child.pid !== undefined) peakTreeRssKb = Math.max(peakTreeRssKb, treeRssKb(child.pid, wrapped));
  };
  const poller = setInterval(poll, POLL_MS);
  const killer = setTimeout(() => {
    killGroup(child);
  }, timeLimitMs);
  return new Promise((resolvePromise, reject) => {
    child.once('error', (error) => {
      clearInterval(poller);
      clearTimeout(killer);
      live.delete(child);
      reject(error);
    });
    child.once('close', (exitCode, closeSignal) => {
      let signal: string | null = closeSignal;
      clearInterval(poller);
      clearTimeout(killer);
      live.delete(child);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      let maxRssKb: number | undefined;
      if (wrapped && existsSync(timeFile)) {
        const report = readFileSync(timeFile, 'utf8');
        rmSync(timeFile, { force: true });
        const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
        maxRssKb = match?.[1] !== undefined ? Number(match[1]) : undefined;
        // GNU time exits with the command's status, and says so when the command was killed.
        const killedBy = /Command terminated by signal (\d+)/.exec(report);
        if (killedBy?.[1] !== undefined) signal ??= `signal ${killedBy[1]}`;
      }
      resolvePromise({
        exitCode,
        signal,
        wallMs,
        maxRssKb,
        peakTreeRssKb,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** GNU time, installed from Debian's `time` package when missing (root and apt-get only). */
function ensureGnuTime(): string {
  if (existsSync(GNU_TIME)) return `GNU time (${GNU_TIME} -v)`;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`  ${GNU_TIME} is missing: installing Debian's "time" package`);
    const install = spawnSync('apt-get', ['install', '-y', '-q', 'time'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (install.status === 0 && existsSync(GNU_TIME)) return `GNU time (${GNU_TIME} -v, installed by this run)`;
  }
  console.log(`  ${GNU_TIME} unavailable: peak memory is the /proc polling only`);
  return 'unavailable';
}

// ---------------------------------------------------------------------------------------------------
// Seeding

interface Mix {
  readonly models: number;
  readonly notebookInstances: number;
  readonly trainingJobs: number;
}

function mixFor(count: number): Mix {
  const models = Math.round(count * 0.4);
  const notebookInstances = Math.round(count * 0.3);
  return { models, notebookInstances, trainingJobs: count - models - notebookInstances };
}

const pad = (index: number): string => String(index).padStart(6, '0');

function tags(index: number): Tag[] {
  // Two thirds carry an owner; every fifth also a data class.
  const result: Tag[] = index % 3 === 0 ? [] : [{ Key: 'owner', Value: index % 2 === 0 ? 'team-a' : 'team-b' }];
  if (index % 5 === 0) result.push({ Key: 'data-class', Value: 'internal' });
  return result;
}

/** The seeding plan: one create per resource, each kind with a realistic mix of good and bad settings. */
function seedTasks(sm: SageMakerClient, mix: Mix, network: Network, kmsKeyArn: string): (() => Promise<unknown>)[] {
  return [
    ...Array.from({ length: mix.models }, (_, index) => () =>
      sm.send(
        new CreateModelCommand({
          ModelName: `bench-model-${pad(index)}`,
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://bench-artifacts/models/${pad(index)}/model.tar.gz` },
          // Half in a VPC with network isolation, half neither.
          ...(index % 2 === 0
            ? { VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] }, EnableNetworkIsolation: true }
            : {}),
          Tags: tags(index),
        }),
      ),
    ),
    ...Array.from({ length: mix.notebookInstances }, (_, index) => () => {
      const variant = index % 4;
      const settings =
        variant === 0 // locked down: private subnet, closed group, no internet, no root, customer key
          ? { SubnetId: network.privateSubnetId, SecurityGroupIds: [network.closedSecurityGroupId], DirectInternetAccess: 'Disabled' as const, RootAccess: 'Disabled' as const, KmsKeyId: kmsKeyArn }
          : variant === 1 // public subnet, ssh open to the world, direct internet access
            ? { SubnetId: network.publicSubnetId, SecurityGroupIds: [network.openSecurityGroupId], DirectInternetAccess: 'Enabled' as const }
            : variant === 2 // no VPC at all: every default
              ? {}
              : // looks private, but its VPC's main route table goes to the internet gateway
                { SubnetId: network.mainTableSubnetId, SecurityGroupIds: [network.closedSecurityGroupId], DirectInternetAccess: 'Disabled' as const, RootAccess: 'Enabled' as const };
      return sm.send(
        new CreateNotebookInstanceCommand({ NotebookInstanceName: `bench-notebook-${pad(index)}`, InstanceType: 'ml.t3.medium', RoleArn: ROLE, Tags: tags(index), ...settings }),
      );
    }),
    ...Array.from({ length: mix.trainingJobs }, (_, index) => () => {
      const variant = index % 3;
      const secure = variant === 0;
      return sm.send(
        new CreateTrainingJobCommand({
          TrainingJobName: `bench-training-job-${pad(index)}`,
          AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
          RoleArn: ROLE,
          OutputDataConfig: { S3OutputPath: `s3://bench-artifacts/jobs/${pad(index)}/`, ...(secure ? { KmsKeyId: kmsKeyArn } : {}) },
          ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: variant === 2 ? 2 : 1, VolumeSizeInGB: 50, ...(secure ? { VolumeKmsKeyId: kmsKeyArn } : {}) },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 * (1 + (index % 48)) },
          ...(secure
            ? {
                EnableNetworkIsolation: true,
                EnableInterContainerTrafficEncryption: true,
                VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
              }
            : {}),
          Tags: tags(index),
        }),
      );
    }),
  ];
}

async function seed(emulator: Emulator, mix: Mix, concurrency: number): Promise<{ ms: number; setupMs: number; network: Network }> {
  const config = {
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 3,
  };
  const ec2 = new EC2Client(config);
  const sageMaker = new SageMakerClient(config);
  try {
    const setupStarted = performance.now();
    const network = await createNetwork(ec2);
    const kmsKeyArn = await createKmsKey(emulator, 'sagemaker-guard bench key');
    const started = performance.now();
    const tasks = seedTasks(sageMaker, mix, network, kmsKeyArn);
    let done = 0;
    const { errors } = await PromisePool.withConcurrency(concurrency)
      .for(tasks)
      .process(async (task) => {
        await task();
        done++;
        if (done % 2000 === 0) console.log(`  seeded ${done}/${tasks.length} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      });
    const first = errors.at(0);
    if (first !== undefined) throw new Error(`seeding failed for ${errors.length} resources; first: ${first.message}`);
    return { ms: performance.now() - started, setupMs: started - setupStarted, network };
  } finally {
    ec2.destroy();
    sageMaker.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// The ledger table

const LEDGER_TABLE = 'sagemaker-guard-ledger';

function dynamoDbFor(emulator: Emulator): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 3,
  });
}

/** The ledger's table in moto, with the construct's keys and indexes (lib/ and tools/local share lambda/ledger/schema.ts). */
async function createLedger(emulator: Emulator): Promise<{ name: string; ms: number }> {
  const dynamoDb = dynamoDbFor(emulator);
  try {
    const started = performance.now();
    const name = await createLedgerTable(dynamoDb, LEDGER_TABLE);
    return { name, ms: performance.now() - started };
  } finally {
    dynamoDb.destroy();
  }
}

/** How many items the ledger holds (a full scan: it is expected to be empty). */
async function ledgerItems(emulator: Emulator, name: string): Promise<number> {
  const dynamoDb = dynamoDbFor(emulator);
  try {
    let count = 0;
    let start: ScanCommand['input']['ExclusiveStartKey'];
    do {
      const page = await dynamoDb.send(new ScanCommand({ TableName: name, Select: 'COUNT', ...(start !== undefined ? { ExclusiveStartKey: start } : {}) }));
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  } finally {
    dynamoDb.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// The two methods

interface ShellPhase {
  readonly phase: 'list' | 'describe';
  readonly kind: string;
  readonly count: number;
  readonly ms: number;
}

function parseTimings(text: string): ShellPhase[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^(list|describe) (\S+) (\d+) (\d+)$/.exec(line);
      if (match === null) throw new Error(`unexpected timing line: ${line}`);
      const [, phase, kind, count, ns] = match as unknown as [string, ShellPhase['phase'], string, string, string];
      return { phase, kind, count: Number(count), ms: Number(ns) / 1e6 };
    });
}

interface MethodResult {
  readonly method: string;
  readonly command: string;
  readonly described: number;
  readonly wallMs: number;
  readonly msPerResource: number;
  readonly maxRssKb: number | undefined;
  readonly peakTreeRssKb: number;
  readonly extrapolated?: { readonly fromDescribeCalls: number; readonly measuredWallMs: number; readonly measuredDescribed: number };
  readonly detail?: unknown;
}

async function runShell(emulator: Emulator, mix: Mix, options: Options, env: NodeJS.ProcessEnv): Promise<MethodResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-shell-'));
  const timingsFile = join(work, 'timings.txt');
  const total = mix.models + mix.notebookInstances + mix.trainingJobs;
  // A sample spread over the kinds in proportion to their counts (at least one each).
  const share = (n: number): number => (options.shellFull ? -1 : Math.max(1, Math.round((options.shellSample * n) / total)));
  const args = [
    join(ROOT, 'bench', 'shell-audit.sh'),
    '--endpoint-url',
    emulator.endpoint,
    '--region',
    emulator.region,
    '--timings',
    timingsFile,
    '--sample-training-jobs',
    String(share(mix.trainingJobs)),
    '--sample-models',
    String(share(mix.models)),
    '--sample-notebook-instances',
    String(share(mix.notebookInstances)),
  ];
  const limitMs = options.shellFull ? 6 * 3600_000 : 3600_000;
  try {
    const run = await measure('bash', args, env, limitMs);
    if (run.exitCode !== 0) throw new Error(`shell-audit.sh failed (exit ${String(run.exitCode)}, ${String(run.signal)}):\n${run.stderr.slice(-2000)}`);
    const phases = parseTimings(readFileSync(timingsFile, 'utf8'));
    const lines = run.stdout.trim().split('\n').filter(Boolean).length;
    const described = phases.filter((p) => p.phase === 'describe').reduce((sum, p) => sum + p.count, 0);
    if (lines !== described) throw new Error(`shell-audit.sh printed ${lines} results for ${described} describe calls`);
    const listed = Object.fromEntries(phases.filter((p) => p.phase === 'list').map((p) => [p.kind, p.count]));
    const expected: Record<string, number> = { 'training-job': mix.trainingJobs, model: mix.models, 'notebook-instance': mix.notebookInstances };
    for (const [kind, count] of Object.entries(expected)) {
      if (listed[kind] !== count) throw new Error(`shell-audit.sh listed ${String(listed[kind])} ${kind}s, ${count} exist`);
    }
    const cli = spawnSync('bash', ['-c', 'if [[ -x /usr/bin/aws ]]; then /usr/bin/aws --version; else aws --version; fi'], { env, encoding: 'utf8' });
    const detail = { awsCli: `${cli.stdout}${cli.stderr}`.trim(), phases };
    const fullCount = Object.values(expected).reduce((a, b) => a + b, 0);
    const command = `bash bench/shell-audit.sh --endpoint-url ${emulator.endpoint}${options.shellFull ? '' : ' --sample-… (proportional)'}`;
    if (described >= fullCount) {
      return { method: 'shell loop (aws CLI)', command, described, wallMs: run.wallMs, msPerResource: run.wallMs / described, maxRssKb: run.maxRssKb, peakTreeRssKb: run.peakTreeRssKb, detail };
    }
    // Extrapolate: each kind's describe time scaled to all of its resources; list calls and the rest as measured.
    const describePhases = phases.filter((p) => p.phase === 'describe');
    const measuredDescribeMs = describePhases.reduce((sum, p) => sum + p.ms, 0);
    const scaledDescribeMs = describePhases.reduce((sum, p) => sum + (p.count > 0 ? (p.ms / p.count) * (expected[p.kind] ?? 0) : 0), 0);
    const wallMs = run.wallMs - measuredDescribeMs + scaledDescribeMs;
    return {
      method: `shell loop (aws CLI), extrapolated from ${described} calls`,
      command,
      described: fullCount,
      wallMs,
      msPerResource: wallMs / fullCount,
      maxRssKb: run.maxRssKb,
      peakTreeRssKb: run.peakTreeRssKb,
      extrapolated: { fromDescribeCalls: described, measuredWallMs: run.wallMs, measuredDescribed: described },
      detail,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface AuditCommand {
  readonly kind: 'cli' | 'driver';
  readonly file: string;
  readonly args: readonly string[];
  readonly label: string;
}

/** The audit CLI from package.json's bin when it exists (run directly, not through npx), else the driver. */
function auditCommand(choice: Options['audit']): AuditCommand {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['sagemaker-guard'];
  const binPath = bin === undefined ? undefined : join(ROOT, bin);
  const cliExists = binPath !== undefined && existsSync(binPath) && existsSync(join(ROOT, 'cli'));
  if (choice === 'cli' && !cliExists) throw new Error('--audit cli: package.json has no sagemaker-guard bin, or cli/ does not exist yet');
  if (cliExists && choice !== 'driver') {
    const viaTsx = binPath.endsWith('.ts');
    return {
      kind: 'cli',
      file: process.execPath,
      args: viaTsx ? ['--import', 'tsx', binPath, 'audit'] : [binPath, 'audit'],
      label: `sagemaker-guard audit (${bin ?? ''})`,
    };
  }
  return { kind: 'driver', file: process.execPath, args: ['--import', 'tsx', join(ROOT, 'bench', 'audit-driver.ts')], label: 'bench/audit-driver.ts (sweep(), act:false notify:false)' };
}

/** How many resources an audit run evaluated, from its stdout. */
function describedBy(command: AuditCommand, stdout: string): { described: number; detail: unknown } {
  if (command.kind === 'cli') return countCliResults(stdout);
  const parsed = JSON.parse(stdout) as { described: number; failures: number };
  return { described: parsed.described, detail: parsed };
}

/**
 * The audit CLI's --json output: NDJSON, one {"type":"resource"} or {"type":"error"} object per resource
 * (errors also for a failed listing), then one {"type":"summary"} object.
 */
function countCliResults(stdout: string): { described: number; detail: unknown } {
  const byKind: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  const errors: unknown[] = [];
  let described = 0;
  let summary: Record<string, unknown> | undefined;
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const item = JSON.parse(line) as Record<string, unknown>;
    if (item.type === 'summary') summary = item;
    else if (item.type === 'error') errors.push(item);
    else if (item.type === 'resource') {
      described++;
      const kind = String(item.kind);
      const decision = String(item.decision);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      decisions[decision] = (decisions[decision] ?? 0) + 1;
    }
  }
  if (summary === undefined) throw new Error('the audit printed no summary object');
  if (errors.length > 0) throw new Error(`the audit reported ${errors.length} errors; first: ${JSON.stringify(errors[0])}`);
  return { described, detail: { byKind, decisions, summary } };
}

async function runAudit(command: AuditCommand, env: NodeJS.ProcessEnv, policyFile: string, since: string | undefined): Promise<MethodResult> {
  const extra = command.kind === 'cli' ? ['--json', '--region', 'us-east-1', '--policy', policyFile] : ['--policy', policyFile];
  const args = [...command.args, ...extra, ...(since !== undefined ? ['--since', since] : [])];
  const run = await measure(command.file, args, env, 3600_000);
  // The CLI exits 1 when it finds violations (a result, not an error) and 2 on errors.
  if (run.exitCode !== 0 && !(command.kind === 'cli' && run.exitCode === 1)) {
    throw new Error(`${command.label} failed (exit ${String(run.exitCode)}, ${String(run.signal)}):\n${run.stderr.slice(-2000)}\n${run.stdout.slice(-500)}`);
  }
  const { described, detail } = describedBy(command, run.stdout);
  if (command.kind === 'driver' && (detail as { failures: number }).failures > 0) throw new Error(`the audit could not evaluate some resources: ${JSON.stringify(detail)}`);
  const shown = args.map((arg) => arg.replace(`${ROOT}/`, '')).join(' ');
  return {
    method: since === undefined ? 'audit (default: InProgress jobs only)' : `audit --since ${since} (every job)`,
    command: `node ${shown}`,
    described,
    wallMs: run.wallMs,
    msPerResource: described > 0 ? run.wallMs / described : 0,
    maxRssKb: run.maxRssKb,
    peakTreeRssKb: run.peakTreeRssKb,
    detail: { ...(detail as object), exitCode: run.exitCode },
  };
}

// ---------------------------------------------------------------------------------------------------
// moto's own memory (read only: the emulator module owns the process)

function motoPid(emulator: Emulator): number | undefined {
  const seen: number[] = [];
  const walk = (pid: number): void => {
    for (const child of childrenOf(pid)) {
      seen.push(child);
      walk(child);
    }
  };
  walk(process.pid);
  return seen.find((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('moto_server') && cmdline.includes(String(emulator.port));
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Report

const seconds = (ms: number): string => (ms >= 100_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
const mib = (kb: number | undefined): string => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MiB`);

function table(rows: readonly MethodResult[]): string {
  const header = ['method', 'described', 'wall time', 'per resource', 'peak RSS (largest process)', 'peak RSS (process tree)'];
  const body = rows.map((row) => [row.method, String(row.described), seconds(row.wallMs), `${row.msPerResource.toFixed(1)} ms`, mib(row.maxRssKb), mib(row.peakTreeRssKb)]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((line) => (line[column] ?? '').length)));
  const format = (line: readonly string[]): string => `| ${line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(format)].join('\n');
}

// ---------------------------------------------------------------------------------------------------

async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  // Seeding's clients would print the SDK's "node >=22 from January 2027" notice on every run (Lambda runs nodejs24.x).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const mix = mixFor(options.count);
  console.log(`sweep benchmark: ${options.count} resources (${mix.models} models, ${mix.notebookInstances} notebook instances, ${mix.trainingJobs} training jobs)`);
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > cpus().length) console.log(`  note: load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} CPUs: other work will slow every method`);
  const memoryMethod = ensureGnuTime();
  const command = auditCommand(options.audit);
  console.log(`  audit command: ${command.label}`);

  let emulator: Emulator | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const child of live) killGroup(child);
    live.clear();
    void (emulator?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const work = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  try {
    emulator = await startEmulator();
    console.log(`  moto_server on ${emulator.endpoint}`);
    const moto = motoPid(emulator);
    const env = isolatedEnv(process.env, emulator.env, { AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    const policyFile = join(work, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(emulatorPolicy()));
    const ledger = await createLedger(emulator);
    // What the guard's functions get from the stack; the audit reports only and does not touch it (checked below).
    const auditEnv: NodeJS.ProcessEnv = { ...env, [LEDGER_TABLE_ENV]: ledger.name };
    console.log(`  ledger table ${ledger.name} created in ${seconds(ledger.ms)} (${LEDGER_TABLE_ENV} for the audit runs)`);

    console.log(`\n1. Seeding (SDK, ${options.seedConcurrency} calls in flight)`);
    const seeded = await seed(emulator, mix, options.seedConcurrency);
    const motoAfterSeedKb = moto === undefined ? undefined : rssKb(moto);
    console.log(
      `  seeded ${options.count} resources in ${seconds(seeded.ms)} (${((options.count / seeded.ms) * 1000).toFixed(0)}/s), after ${seconds(seeded.setupMs)} for the VPC, subnets, groups and KMS key; moto RSS ${mib(motoAfterSeedKb)}`,
    );

    // Every job was created today (UTC); the day before selects them all.
    const since = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);
    const results: MethodResult[] = [];
    console.log('\n2. Audit, as is');
    results.push(await runAudit(command, auditEnv, policyFile, undefined));
    console.log(`  ${results.at(-1)?.described ?? 0} resources in ${seconds(results.at(-1)?.wallMs ?? 0)}`);
    console.log(`\n3. Audit --since ${since}`);
    results.push(await runAudit(command, auditEnv, policyFile, since));
    console.log(`  ${results.at(-1)?.described ?? 0} resources in ${seconds(results.at(-1)?.wallMs ?? 0)}`);
    console.log(`\n4. Shell loop (${options.shellFull ? 'every resource' : `${options.shellSample} describe calls, extrapolated`})`);
    const shell = await runShell(emulator, mix, options, env);
    results.unshift(shell);
    console.log(`  ${shell.extrapolated?.measuredDescribed ?? shell.described} describe calls in ${seconds(shell.extrapolated?.measuredWallMs ?? shell.wallMs)}`);
    const motoAfterRunsKb = moto === undefined ? undefined : rssKb(moto);
    const ledgerItemsAfterRuns = await ledgerItems(emulator, ledger.name);
    if (ledgerItemsAfterRuns > 0) console.log(`  note: the ledger holds ${ledgerItemsAfterRuns} items after the audit runs (a report-only audit should write none)`);

    const auditDefault = results.at(1);
    const auditSince = results.at(2);
    if (auditDefault === undefined || auditSince === undefined) throw new Error('missing results');
    const ratios = {
      equalWork: { wall: shell.wallMs / auditSince.wallMs, perResource: shell.msPerResource / auditSince.msPerResource, memory: (shell.maxRssKb ?? 0) / (auditSince.maxRssKb ?? 1) },
      default: { wall: shell.wallMs / auditDefault.wallMs, perResource: shell.msPerResource / auditDefault.msPerResource },
    };
    console.log(`\n${table(results)}`);
    console.log(
      `\nshell / audit --since (same ${auditSince.described} resources): ${ratios.equalWork.wall.toFixed(1)}x the wall time` +
        `\nshell / audit as is (${auditDefault.described} resources; completed jobs are not described): ${ratios.default.wall.toFixed(1)}x the wall time`,
    );
    if (shell.extrapolated !== undefined) console.log(`shell row: extrapolated from ${shell.extrapolated.fromDescribeCalls} calls (measured ${seconds(shell.extrapolated.measuredWallMs)})`);
    console.log(`moto_server RSS: ${mib(motoAfterSeedKb)} after seeding, ${mib(motoAfterRunsKb)} after the runs`);
    console.log(`ledger ${ledger.name}: ${ledgerItemsAfterRuns} items after the runs (the audit reports only: it neither reads nor writes it)`);

    mkdirSync(resolve(options.out, '..'), { recursive: true });
    const report = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      count: options.count,
      mix,
      seeding: { ms: Math.round(seeded.ms), networkAndKeyMs: Math.round(seeded.setupMs), concurrency: options.seedConcurrency, perSecond: Math.round((options.count / seeded.ms) * 1000) },
      memoryMethod: `${memoryMethod}: "largest process" is its Maximum resident set size (ru_maxrss over the tree: the largest single process); "process tree" is the highest sum of VmRSS over the process and its descendants, polled from /proc every ${POLL_MS} ms`,
      auditCommand: command.label,
      ledger: { table: ledger.name, env: LEDGER_TABLE_ENV, createMs: Math.round(ledger.ms), itemsAfterRuns: ledgerItemsAfterRuns },
      shellSample: options.shellFull ? 'full' : options.shellSample,
      results: results.map((row) => ({ ...row, wallMs: Math.round(row.wallMs), msPerResource: Number(row.msPerResource.toFixed(2)) })),
      ratios,
      moto: { rssKbAfterSeeding: motoAfterSeedKb, rssKbAfterRuns: motoAfterRunsKb },
    };
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${options.out.replace(`${ROOT}/`, '')}`);
  } finally {
    for (const child of live) killGroup(child);
    await emulator?.stop();
    rmSync(work, { recursive: true, force: true });
    // Leftover time reports from killed runs.
    for (const file of readdirSync(tmpdir()).filter((name) => name.startsWith(`bench-time-${process.pid}-`))) rmSync(join(tmpdir(), file), { force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`bench:sweep failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
