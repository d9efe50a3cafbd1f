/**
 * `npm run bench:lambda`: the Lambda half of the benchmarks (README, Performance).
 *
 * For every AWS::Lambda::Function bundled into cdk.out:
 *   - size: bytes (and gzip bytes) of the deployed index.js, against a FLOOR bundle built with the same esbuild
 *     settings as NodejsFunction (bundle, platform node, CJS, minify, target from the runtime) from an entry that
 *     only imports the SDK clients the function's bundle contains and constructs one of each;
 *   - cold start: wall time of a fresh `node` requiring the bundle, minus the same `node` requiring nothing, median
 *     of N runs, ours and floor alternated (ABBA) to cancel drift; plus the require() time measured inside the
 *     process with process.hrtime, which leaves out process start-up and is less noisy.
 * Then, in this process, each responder's handler time per event: the TypeScript entry modules with every SDK client
 * mocked by aws-sdk-client-mock (compliant and non-compliant resources, a notebook with its EC2 lookups), Powertools
 * logging silenced and metrics disabled, timed one invocation at a time after a warm-up. The ledger (DynamoDB, through
 * the document client) is test/support/fake-dynamodb.ts's in-memory table behind the mock, emptied before each
 * invocation outside the timed region, so every timed invocation is a fresh remediation (one scenario keeps it: the
 * duplicate of a done remediation). Its requests count among the SDK calls and are also reported on their own.
 *
 * Prints a table, writes bench/results/lambda.json and a PASS/MISS line per target. A missed target is a result, not a
 * failure: the process exits non-zero only when something could not be measured.
 *
 * Options: --runs N (cold-start runs, default 15; BENCH_RUNS), --events N (timed invocations per scenario, default
 * 2000; BENCH_EVENTS), --warmup N (default 200), --no-synth (use cdk.out as it is, even when stale).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, devNull, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LEDGER_TABLE_ENV } from '../lambda/ledger/schema';
import { FakeTable, type LedgerCommand } from '../test/support/fake-dynamodb';
import { ENFORCEMENT_KEY } from '../lambda/ledger/records';
import { changedSinceSynth, CDK_OUT, findBundles, readTemplate, REPO_ROOT, RESPONDERS, type ResponderKind, type Template } from '../tools/local/cdk-out';
import { synthesize } from '../tools/local/synth';

// ---------------------------------------------------------------------------------------------------------------
// Targets and options

const TARGETS = { sizeRatio: 1.1, loadRatio: 1.2, perEventMs: 2 } as const;
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'lambda.json');

interface Options {
  readonly runs: number;
  readonly events: number;
  readonly warmup: number;
  readonly synth: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const number = (flag: string, env: string | undefined, fallback: number): number => {
    const index = argv.indexOf(flag);
    const raw = index >= 0 ? argv[index + 1] : env;
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} expects a positive integer (given: ${JSON.stringify(raw)})`);
    return value;
  };
  return {
    runs: number('--runs', process.env.BENCH_RUNS, 15),
    events: number('--events', process.env.BENCH_EVENTS, 2000),
    warmup: number('--warmup', undefined, 200),
    synth: !argv.includes('--no-synth'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and formatting

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
const median = (values: readonly number[]): number => quantile(values, 0.5);
const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const loadAverage = (load: readonly number[]): string => load.map((value) => value.toFixed(2)).join(' ');
/** More runnable processes than half the cores over the last minute: other work competes for the CPU. */
const busy = (load: readonly number[]): boolean => load[0] > cpus().length / 2;
const verdict = (pass: boolean): 'PASS' | 'MISS' => (pass ? 'PASS' : 'MISS');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The functions in cdk.out

interface LambdaBundle {
  /** The responder kind, or the construct id for any other function (a sweep, say). */
  readonly name: string;
  readonly logicalId: string;
  readonly cdkPath: string;
  readonly entryFile: string;
  readonly runtime: string;
  /** Source entry, when known (responders: lambda/handlers/responder.ts, one bundle for every kind); used for the size breakdown. */
  readonly sourceEntry: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Every Node.js AWS::Lambda::Function with a code asset: the responders through findBundles(), any other generically. */
function lambdaBundles(template: Template): LambdaBundle[] {
  const responders = findBundles(CDK_OUT);
  const byLogicalId = new Map(Object.values(responders).map((bundle) => [bundle.logicalId, bundle]));
  const bundles: LambdaBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    // aws-cdk-lib's own provider functions (the deploy-time trigger's) ship pre-built in aws-cdk-lib: not ours to measure.
    if (logicalId.startsWith('AWSCDK')) continue;
    const runtime = asString(resource.Properties?.Runtime) ?? '';
    const assetPath = asString(resource.Metadata?.['aws:asset:path']);
    if (!runtime.startsWith('nodejs') || assetPath === undefined) continue;
    const cdkPath = asString(resource.Metadata?.['aws:cdk:path']) ?? logicalId;
    const responder = byLogicalId.get(logicalId);
    if (responder !== undefined) {
      bundles.push({
        name: responder.kind,
        logicalId,
        cdkPath,
        entryFile: responder.entryFile,
        runtime,
        sourceEntry: join(REPO_ROOT, 'lambda', 'handlers', 'responder.ts'),
        environment: responder.literalEnvironment,
      });
      continue;
    }
    const handler = asString(resource.Properties?.Handler) ?? 'index.handler';
    const fileBase = handler.slice(0, handler.lastIndexOf('.'));
    const entryFile = ['.js', '.cjs'].map((ext) => join(CDK_OUT, assetPath, fileBase + ext)).find((file) => existsSync(file));
    if (entryFile === undefined) continue; // an ESM or non-bundled function: not ours to compare
    const segments = cdkPath.split('/').filter((segment) => !['Resource', 'Function', 'Default'].includes(segment));
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment = Object.fromEntries(Object.entries(variables).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])));
    // GuardFunction's convention: the construct `Sweep` bundles lambda/handlers/sweep.ts.
    const name = (segments[segments.length - 1] ?? logicalId).replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const sourceEntry = join(REPO_ROOT, 'lambda', 'handlers', `${name}.ts`);
    bundles.push({ name, logicalId, cdkPath, entryFile, runtime, sourceEntry: existsSync(sourceEntry) ? sourceEntry : undefined, environment });
  }
  const order = Object.keys(RESPONDERS);
  const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
  return bundles.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------------------------
// SDK clients: which a bundle contains, and the floor built from them

interface SdkClient {
  readonly packageName: string;
  readonly className: string;
  readonly signingName: string;
}

/**
 * The @aws-sdk/client-* packages the project installs (the functions bundle them, so the package lists them
 * as devDependencies), each with its client class and the signing name a bundle gives away.
 */
function sdkClients(): SdkClient[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter((name) => name.startsWith('@aws-sdk/client-'))
    .map((packageName) => {
      const source = readFileSync(require.resolve(packageName, { paths: [REPO_ROOT] }), 'utf8');
      const className = /class (\w+Client) extends/.exec(source)?.[1];
      const signingName = /defaultSigningName: *"([\w-]+)"/.exec(source)?.[1];
      if (className === undefined || signingName === undefined) throw new Error(`cannot find the client class or signing name of ${packageName}`);
      return { packageName, className, signingName };
    });
}

/** The clients whose signing name the minified bundle contains. */
function clientsIn(bundleText: string, clients: readonly SdkClient[]): SdkClient[] {
  return clients.filter((client) => bundleText.includes(`defaultSigningName:"${client.signingName}"`));
}

/** esbuild as NodejsFunction runs it for these functions (lib/guard-function.ts FUNCTION_DEFAULTS): nothing external. */
function esbuildOptions(runtime: string): esbuild.BuildOptions {
  const version = /^nodejs(\d+)/.exec(runtime)?.[1];
  if (version === undefined) throw new Error(`cannot derive an esbuild target from runtime ${runtime}`);
  return { bundle: true, platform: 'node', format: 'cjs', minify: true, target: `node${version}`, logLevel: 'warning', metafile: true };
}

function floorEntry(clients: readonly SdkClient[]): string {
  return [
    ...clients.map((client) => `import { ${client.className} } from '${client.packageName}';`),
    `const config = { maxAttempts: 5, retryMode: 'standard' } as const;`,
    `const clients = [${clients.map((client) => `new ${client.className}(config)`).join(', ')}];`,
    `export const handler = async (): Promise<number> => clients.length;`,
  ].join('\n');
}

/** Bytes in the output by package (node_modules/<package>), our own code under its top directory. */
function bytesByPackage(metafile: esbuild.Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs)[0];
  const bytes = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match !== null ? match[1] : `${path.split('/')[0]}/ (our code)`;
    bytes.set(key, (bytes.get(key) ?? 0) + input.bytesInOutput);
  }
  return bytes;
}

interface Floor {
  readonly file: string;
  readonly metafile: esbuild.Metafile;
}

// ---------------------------------------------------------------------------------------------------------------
// Cold start

/** The child: require the bundle (or nothing) and print how long require() took, in nanoseconds. */
const LOAD_SCRIPT =
  'const t=process.hrtime.bigint();const p=process.argv[1];if(p)require(p);process.stdout.write(String(process.hrtime.bigint()-t))';

interface LoadSample {
  readonly wallMs: number;
  readonly requireMs: number;
}

function childEnv(environment: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('NODE_OPTIONS') && !key.startsWith('POWERTOOLS_')) clean[key] = value;
  }
  return {
    ...clean,
    ...lambdaEnv(),
    // The bundles read these at cold start; a Ref in the template is no literal, so they get stand-ins.
    ...standInEnv(),
    ...environment,
  };
}

const FAKE_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sagemaker-guard-notices';
/** Names no real table: loading a bundle only constructs the client, and the handler benchmark mocks it. */
const FAKE_LEDGER_TABLE = 'sagemaker-guard-ledger-bench';

/** What the template passes by Ref (so has no literal for): the topic, the switch parameter and the ledger table. */
function standInEnv(): Record<string, string> {
  return { TOPIC_ARN: FAKE_TOPIC_ARN, ENFORCEMENT_SWITCH_PARAMETER: '/sagemaker-guard/enforcement', [LEDGER_TABLE_ENV]: FAKE_LEDGER_TABLE };
}

/** What Lambda would set, with fake credentials and nothing that could reach AWS. */
function lambdaEnv(): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    // Lambda runs nodejs24.x, where the SDK has no "upgrade your Node.js" warning to print.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function loadOnce(file: string | undefined, env: NodeJS.ProcessEnv): LoadSample {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, ...(file !== undefined ? [file] : [])], { env, encoding: 'utf8', timeout: 60_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0 || child.error !== undefined) {
    const why = child.error?.message ?? `exit ${String(child.status ?? child.signal)}: ${child.stderr.trim().split('\n').slice(0, 5).join(' | ')}`;
    throw new Error(`loading ${file ?? '(nothing)'} in a fresh node failed: ${why}`);
  }
  return { wallMs, requireMs: Number(child.stdout) / 1e6 };
}

// ---------------------------------------------------------------------------------------------------------------
// Results

interface FunctionResult {
  readonly name: string;
  readonly logicalId: string;
  readonly cdkPath: string;
  readonly bundle: string;
  readonly runtime: string;
  readonly esbuildTarget: string;
  readonly sdkClients: readonly string[];
  readonly size: { readonly bytes: number; readonly gzipBytes: number };
  readonly floorSize: { readonly bytes: number; readonly gzipBytes: number };
  readonly sizeRatio: number;
  readonly gzipRatio: number;
  /** What our bundle adds over the floor, by package (from an identical esbuild rebuild with a metafile). */
  readonly sizeOverFloorByPackage: readonly { readonly package: string; readonly bytes: number }[];
  readonly rebuildBytes: number | undefined;
  readonly coldStart?: {
    readonly oursMs: number;
    readonly floorMs: number;
    readonly ratio: number;
    readonly oursRequireMs: number;
    readonly floorRequireMs: number;
    readonly requireRatio: number;
    /** Fastest run of each: the least disturbed by other processes, so the steadiest ratio on a busy machine. */
    readonly fastestRatio: number;
    readonly oursSamplesMs: readonly number[];
    readonly floorSamplesMs: readonly number[];
  };
}

interface ScenarioResult {
  readonly scenario: string;
  readonly kind: ResponderKind;
  readonly decision: string;
  /** Every SDK request of one steady-state invocation, the ledger's included. */
  readonly sdkCallsPerEvent: number;
  /** The ledger's share of sdkCallsPerEvent (DynamoDB requests through the document client), by command. */
  readonly ledgerCallsPerEvent: number;
  readonly ledgerCalls: Readonly<Partial<Record<LedgerCommand, number>>>;
  /** The in-memory table's own work per event (condition evaluation, copies), left out of "own" like the mock's dispatch. */
  readonly fakeTableUs: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  /** The fastest batch of HISTORY_BATCH consecutive events, per event: what is left when nothing else wants the CPU. */
  readonly bestBatchMeanUs: number;
  /** mean minus the mock's own dispatch cost per SDK call and the fake table's work: an estimate of the guard's own work. */
  readonly ownMeanUs: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Handler time per event, in process, with mocked clients

/** Invocations between two clearings of the mocks' call history. */
const HISTORY_BATCH = 100;

interface Scenario {
  readonly name: string;
  readonly kind: ResponderKind;
  readonly eventFile: string;
  readonly expected: string;
  readonly arrange: () => void;
  /**
   * Keep the ledger between invocations: every copy after the first is a duplicate of a done remediation.
   * Otherwise the table is emptied before each invocation (outside the timed region), so each is a fresh
   * remediation, as the same event would be the first time.
   */
  readonly keepLedger?: boolean;
}

/**
 * The ledger's table in memory (test/support/fake-dynamodb.ts), clocking its own work so that it can be left
 * out of the guard's, as the mock's dispatch is: a real table costs a network round trip instead.
 */
class TimedTable extends FakeTable {
  elapsedNs = 0n;

  private timed<T>(work: () => T): T {
    const started = process.hrtime.bigint();
    try {
      return work();
    } finally {
      this.elapsedNs += process.hrtime.bigint() - started;
    }
  }

  override put(input: Parameters<FakeTable['put']>[0]): object {
    return this.timed(() => super.put(input));
  }

  override get(input: Parameters<FakeTable['get']>[0]): object {
    return this.timed(() => super.get(input));
  }

  override update(input: Parameters<FakeTable['update']>[0]): object {
    return this.timed(() => super.update(input));
  }

  override query(input: Parameters<FakeTable['query']>[0]): object {
    return this.timed(() => super.query(input));
  }

  /**
   * Forgets every record and request: the next invocation finds no earlier remediation. The one record the
   * deploy writes stays: enforcement began long before the scenarios' resources (none is existing estate).
   */
  clear(): void {
    this.items.clear();
    this.calls.length = 0;
    this.items.set(JSON.stringify([ENFORCEMENT_KEY.pk, ENFORCEMENT_KEY.sk]), { ...ENFORCEMENT_KEY, type: 'enforcement-began', since: '2020-01-01T00:00:00.000Z', by: 'deploy' });
  }
}

async function benchHandlers(options: Options, functions: readonly LambdaBundle[]): Promise<{ scenarios: ScenarioResult[]; mockDispatchUs: number }> {
  // The entry modules read their environment at import: set it first, as Lambda would (minus the noise).
  const deployed = functions.find((bundle) => bundle.name in RESPONDERS)?.environment ?? {};
  Object.assign(process.env, lambdaEnv(), standInEnv(), {
    POWERTOOLS_SERVICE_NAME: 'sagemaker-guard',
    POWERTOOLS_METRICS_NAMESPACE: 'SageMakerGuard',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...('GUARD_SETTINGS' in deployed ? { GUARD_SETTINGS: deployed.GUARD_SETTINGS } : {}),
  });
  delete process.env.AWS_RETRY_MODE;

  const sageMaker = mockClient(SageMakerClient);
  const ec2 = mockClient(EC2Client);
  const sns = mockClient(SNSClient);
  const ssm = mockClient(SSMClient);
  // The ledger: the adapter's real requests (conditions included) against an in-memory table, as in test/handlers/harness.ts.
  const ddb = mockClient(DynamoDBDocumentClient);
  const table = new TimedTable();
  const mocks = [sageMaker, ec2, sns, ssm, ddb] as const;
  const { trainingJob, model, notebook, privateNetwork } = await import('../test/fixtures/resources');
  const { loadEvent } = await import('../test/fixtures/events');
  const { makeHandler, runtimeFromEnv } = await import('../lambda/handlers/make-handler');
  const { RESOURCE_KINDS } = await import('../lambda/kinds/registry');
  const runtime = runtimeFromEnv(process.env);
  const handlers = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, makeHandler(kind, runtime)])) as Record<(typeof RESOURCE_KINDS)[number], ReturnType<typeof makeHandler>>;

  const common = (): void => {
    for (const mock of mocks) mock.reset();
    table.clear();
    table.attach(ddb);
    sageMaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'owner', Value: 'team-a' }, { Key: 'project', Value: 'churn' }] });
    sageMaker.on(AddTagsCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/sagemaker-guard/enforcement', Value: 'policy', Type: 'String' } });
  };
  const network = (open: boolean): void => {
    const base = privateNetwork();
    if (!open) {
      ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [base.subnet ?? {}] });
      ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [...base.securityGroups] });
      ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: base.routeTable !== undefined ? [base.routeTable] : [] });
      return;
    }
    // A public subnet whose VPC main table routes to an internet gateway (two route-table reads), an SSH-open group.
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0private', VpcId: 'vpc-0main', MapPublicIpOnLaunch: true }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{ GroupId: 'sg-0closed', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }],
    });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-0main'] }, { Name: 'association.main', Values: ['true'] }] }).resolves({
      RouteTables: [{ RouteTableId: 'rtb-0main', Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0public', State: 'active' }] }],
    });
  };
  const notebookName = 'BasicNotebookInstance-x4CC6ZFJzqJJ';
  const scenarios: Scenario[] = [
    {
      name: 'training job, compliant',
      kind: 'training-job',
      eventFile: 'variants/training-job.in-progress.json',
      expected: 'compliant',
      arrange: () => sageMaker.on(DescribeTrainingJobCommand).resolves(trainingJob()),
    },
    {
      name: 'training job, 3 controls fail: tag, stop, notify',
      kind: 'training-job',
      eventFile: 'variants/training-job.in-progress.json',
      expected: 'remediate',
      arrange: () => {
        sageMaker.on(DescribeTrainingJobCommand).resolves(trainingJob({ EnableNetworkIsolation: false, VpcConfig: undefined, EnableInterContainerTrafficEncryption: false }));
        sageMaker.on(StopTrainingJobCommand).resolves({});
      },
    },
    {
      name: 'model, compliant',
      kind: 'model',
      eventFile: 'variants/model.created.json',
      expected: 'compliant',
      arrange: () => sageMaker.on(DescribeModelCommand).resolves(model()),
    },
    {
      name: 'model, 2 controls fail: notify, delete',
      kind: 'model',
      eventFile: 'variants/model.created.json',
      expected: 'remediate',
      arrange: () => {
        sageMaker.on(DescribeModelCommand).resolves(model({ EnableNetworkIsolation: false, VpcConfig: undefined }));
        sageMaker.on(DeleteModelCommand).resolves({});
      },
    },
    {
      name: 'notebook, compliant (+3 EC2 reads)',
      kind: 'notebook-instance',
      eventFile: 'variants/notebook-instance.inservice.json',
      expected: 'compliant',
      arrange: () => {
        sageMaker.on(DescribeNotebookInstanceCommand).resolves(notebook({ NotebookInstanceName: notebookName }, null).notebook);
        network(false);
      },
    },
    {
      name: 'notebook, public + open SG (+4 EC2 reads): tag, stop, notify',
      kind: 'notebook-instance',
      eventFile: 'variants/notebook-instance.inservice.json',
      expected: 'remediate',
      arrange: () => {
        sageMaker
          .on(DescribeNotebookInstanceCommand)
          .resolves(notebook({ NotebookInstanceName: notebookName, DirectInternetAccess: 'Enabled', RootAccess: undefined, InstanceMetadataServiceConfiguration: undefined }, null).notebook);
        sageMaker.on(StopNotebookInstanceCommand).resolves({});
        network(true);
      },
    },
    {
      name: 'notebook, the same event again: the ledger says done',
      kind: 'notebook-instance',
      eventFile: 'variants/notebook-instance.inservice.json',
      expected: 'duplicate',
      keepLedger: true,
      arrange: () => {
        sageMaker
          .on(DescribeNotebookInstanceCommand)
          .resolves(notebook({ NotebookInstanceName: notebookName, DirectInternetAccess: 'Enabled', RootAccess: undefined, InstanceMetadataServiceConfiguration: undefined }, null).notebook);
        sageMaker.on(StopNotebookInstanceCommand).resolves({});
        network(true);
      },
    },
  ];

  const results: ScenarioResult[] = [];
  let mockDispatchUs = Number.NaN;
  for (const scenario of scenarios) {
    common();
    scenario.arrange();
    const handler = handlers[scenario.kind];
    const event = loadEvent(scenario.eventFile) as unknown as Parameters<typeof handler>[0];
    const fresh = scenario.keepLedger !== true;
    for (let i = 0; i < options.warmup; i += 1) {
      if (fresh) table.clear();
      await handler(event);
    }
    // One steady-state invocation (the switch read is cached by then, as in a warm container): check and count.
    for (const mock of mocks) mock.resetHistory();
    if (fresh) table.clear();
    table.calls.length = 0;
    const result = await handler(event);
    if (result.decision !== scenario.expected) throw new Error(`${scenario.name}: expected decision ${scenario.expected}, got ${result.decision}`);
    const calls = mocks.reduce((sum, mock) => sum + mock.calls().length, 0);
    const ledgerCallCount = table.calls.length;
    const ledgerCalls: Partial<Record<LedgerCommand, number>> = {};
    for (const command of table.calls) ledgerCalls[command] = (ledgerCalls[command] ?? 0) + 1;
    if (table.calls.length !== ddb.calls().length) throw new Error(`${scenario.name}: ${ddb.calls().length} DynamoDB requests, ${table.calls.length} reached the table`);
    const samples: number[] = new Array<number>(options.events);
    let otherDecisions = 0;
    table.elapsedNs = 0n;
    for (let i = 0; i < options.events; i += 1) {
      // sinon records every call, the fake table every request; both cleared outside the timed region so that
      // their growth is not charged to the handler. Emptying the table makes the invocation a fresh remediation.
      if (i % HISTORY_BATCH === 0) for (const mock of mocks) mock.resetHistory();
      if (fresh) table.clear();
      else table.calls.length = 0;
      const started = process.hrtime.bigint();
      const { decision } = await handler(event);
      samples[i] = Number(process.hrtime.bigint() - started) / 1e3;
      if (decision !== scenario.expected) otherDecisions += 1;
    }
    if (otherDecisions > 0) throw new Error(`${scenario.name}: ${otherDecisions} of ${options.events} timed invocations did not decide ${scenario.expected}`);
    const fakeTableUs = Number(table.elapsedNs) / 1e3 / options.events;
    if (Number.isNaN(mockDispatchUs)) mockDispatchUs = await measureMockDispatch(options, sageMaker);
    const meanUs = mean(samples);
    const batchMeans: number[] = [];
    for (let start = 0; start + HISTORY_BATCH <= samples.length; start += HISTORY_BATCH) batchMeans.push(mean(samples.slice(start, start + HISTORY_BATCH)));
    results.push({
      scenario: scenario.name,
      kind: scenario.kind,
      decision: result.decision,
      sdkCallsPerEvent: calls,
      ledgerCallsPerEvent: ledgerCallCount,
      ledgerCalls,
      fakeTableUs: round(fakeTableUs),
      meanUs: round(meanUs),
      p50Us: round(median(samples)),
      p99Us: round(quantile(samples, 0.99)),
      maxUs: round(Math.max(...samples)),
      bestBatchMeanUs: round(batchMeans.length > 0 ? Math.min(...batchMeans) : meanUs),
      ownMeanUs: round(Math.max(0, meanUs - calls * mockDispatchUs - fakeTableUs)),
    });
  }
  for (const mock of mocks) mock.restore();
  return { scenarios: results, mockDispatchUs: round(mockDispatchUs, 2) };
}

/** What one mocked send() costs on its own (sinon stub, input matching, promise): subtracted as not ours. */
async function measureMockDispatch(options: Options, mock: { resetHistory(): void }): Promise<number> {
  const client = new SageMakerClient({ region: 'us-east-1' });
  const command = new DescribeTrainingJobCommand({ TrainingJobName: 'churn-train-1' });
  for (let i = 0; i < options.warmup; i += 1) await client.send(command);
  const batches = Math.ceil((options.events * 5) / HISTORY_BATCH);
  let elapsed = 0n;
  for (let batch = 0; batch < batches; batch += 1) {
    mock.resetHistory();
    const started = process.hrtime.bigint();
    for (let i = 0; i < HISTORY_BATCH; i += 1) await client.send(command);
    elapsed += process.hrtime.bigint() - started;
  }
  client.destroy();
  return Number(elapsed) / 1e3 / (batches * HISTORY_BATCH);
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function ensureSynth(options: Options): Promise<void> {
  const changed = changedSinceSynth(CDK_OUT);
  if (changed !== undefined && changed.length === 0) return;
  if (!options.synth) {
    if (changed === undefined) throw new Error(`no synth output in ${CDK_OUT}; run \`npm run synth\` (or drop --no-synth)`);
    console.warn(`warning: ${changed.join(', ')} changed after cdk.out was synthesized; measuring the old bundles (--no-synth)`);
    return;
  }
  console.log(changed === undefined ? 'No cdk.out: synthesizing...' : `cdk.out is older than ${changed.join(', ')}: synthesizing...`);
  const { durationMs } = await synthesize(CDK_OUT);
  console.log(`  synthesized in ${(durationMs / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadavg();
  await ensureSynth(options);
  const template = readTemplate(CDK_OUT);
  const functions = lambdaBundles(template);
  if (functions.length === 0) throw new Error(`no Node.js AWS::Lambda::Function with a bundled asset in ${CDK_OUT}`);
  const clients = sdkClients();
  const work = mkdtempSync(join(tmpdir(), 'sagemaker-guard-bench-'));
  try {
    // 1. Sizes, floors and the breakdown.
    console.log(`\nBundles (${functions.length}) and their floors: same esbuild settings, only the SDK clients each bundle contains`);
    const floors = new Map<string, Floor>();
    const prepared: { bundle: LambdaBundle; floor: Floor; result: Omit<FunctionResult, 'coldStart'> }[] = [];
    for (const bundle of functions) {
      const text = readFileSync(bundle.entryFile, 'utf8');
      const used = clientsIn(text, clients);
      const build = esbuildOptions(bundle.runtime);
      const key = `${String(build.target)}|${used.map((client) => client.packageName).join(',')}`;
      let floor = floors.get(key);
      if (floor === undefined) {
        const file = join(work, `floor-${String(floors.size)}`, 'index.js');
        const built = await esbuild.build({
          ...build,
          stdin: { contents: floorEntry(used), resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'floor-entry.ts' },
          outfile: file,
        });
        if (built.metafile === undefined) throw new Error('esbuild wrote no metafile for the floor');
        floor = { file, metafile: built.metafile };
        floors.set(key, floor);
      }
      const bytes = Buffer.byteLength(text);
      const gzipBytes = gzipSync(text).length;
      const floorText = readFileSync(floor.file);
      const floorSize = { bytes: floorText.length, gzipBytes: gzipSync(floorText).length };
      let sizeOverFloorByPackage: { package: string; bytes: number }[] = [];
      let rebuildBytes: number | undefined;
      if (bundle.sourceEntry !== undefined) {
        const rebuilt = await esbuild.build({ ...build, entryPoints: [bundle.sourceEntry], write: false, outfile: join(work, 'rebuild', 'index.js') });
        rebuildBytes = rebuilt.outputFiles[0].contents.length;
        if (rebuilt.metafile === undefined) throw new Error(`esbuild wrote no metafile for ${bundle.sourceEntry}`);
        const ours = bytesByPackage(rebuilt.metafile);
        const base = bytesByPackage(floor.metafile);
        sizeOverFloorByPackage = [...new Set([...ours.keys(), ...base.keys()])]
          .map((name) => ({ package: name, bytes: (ours.get(name) ?? 0) - (base.get(name) ?? 0) }))
          .filter((entry) => Math.abs(entry.bytes) >= 1024)
          .sort((a, b) => b.bytes - a.bytes);
      }
      prepared.push({
        bundle,
        floor,
        result: {
          name: bundle.name,
          logicalId: bundle.logicalId,
          cdkPath: bundle.cdkPath,
          bundle: relative(REPO_ROOT, bundle.entryFile),
          runtime: bundle.runtime,
          esbuildTarget: String(build.target),
          sdkClients: used.map((client) => client.packageName),
          size: { bytes, gzipBytes },
          floorSize,
          sizeRatio: round(bytes / floorSize.bytes, 3),
          gzipRatio: round(gzipBytes / floorSize.gzipBytes, 3),
          sizeOverFloorByPackage,
          rebuildBytes,
        },
      });
    }

    // 2. Cold start: rounds of baseline, then each (ours, floor) pair, in ABBA order; round 0 warms the page cache.
    console.log(`Cold start: ${options.runs} runs of a fresh node per bundle, alternated with its floor...`);
    const baseline: LoadSample[] = [];
    const samples = prepared.map(() => ({ ours: [] as LoadSample[], floor: [] as LoadSample[] }));
    const envs = prepared.map(({ bundle }) => childEnv(bundle.environment));
    for (let round = 0; round <= options.runs; round += 1) {
      const base = loadOnce(undefined, envs[0]);
      if (round > 0) baseline.push(base);
      prepared.forEach(({ bundle, floor }, index) => {
        const order = round % 2 === 0 ? (['ours', 'floor'] as const) : (['floor', 'ours'] as const);
        for (const which of order) {
          const sample = loadOnce(which === 'ours' ? bundle.entryFile : floor.file, envs[index]);
          if (round > 0) samples[index][which].push(sample);
        }
      });
    }
    const baselineMs = median(baseline.map((sample) => sample.wallMs));
    const functionResults: FunctionResult[] = prepared.map(({ result }, index) => {
      const oursWall = samples[index].ours.map((sample) => sample.wallMs - baselineMs);
      const floorWall = samples[index].floor.map((sample) => sample.wallMs - baselineMs);
      const oursMs = median(oursWall);
      const floorMs = median(floorWall);
      const oursRequireMs = median(samples[index].ours.map((sample) => sample.requireMs));
      const floorRequireMs = median(samples[index].floor.map((sample) => sample.requireMs));
      return {
        ...result,
        coldStart: {
          oursMs: round(oursMs),
          floorMs: round(floorMs),
          ratio: round(oursMs / floorMs, 3),
          oursRequireMs: round(oursRequireMs),
          floorRequireMs: round(floorRequireMs),
          requireRatio: round(oursRequireMs / floorRequireMs, 3),
          fastestRatio: round(Math.min(...oursWall) / Math.min(...floorWall), 3),
          oursSamplesMs: oursWall.map((value) => round(value)),
          floorSamplesMs: floorWall.map((value) => round(value)),
        },
      };
    });

    // 3. Handler time per event.
    console.log(`Handler time: ${options.events} invocations per scenario after ${options.warmup} warm-up, mocked SDK clients...`);
    const { scenarios, mockDispatchUs } = await benchHandlers(options, functions);

    // 4. Report.
    const targetRows = functionResults.map((result) => {
      const cold = result.coldStart;
      return {
        name: result.name,
        size: verdict(result.sizeRatio <= TARGETS.sizeRatio),
        load: cold === undefined ? 'n/a' : verdict(cold.ratio <= TARGETS.loadRatio),
      };
    });
    const worstP99Us = Math.max(...scenarios.map((scenario) => scenario.p99Us));
    const worstMeanUs = Math.max(...scenarios.map((scenario) => scenario.meanUs));
    const perEvent = verdict(worstMeanUs / 1000 < TARGETS.perEventMs);

    console.log(`\nnode ${process.version}, ${String(cpus().length)} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; empty node start ${baselineMs.toFixed(1)} ms (median)`);
    console.log(`load average ${loadAverage(loadBefore)} before, ${loadAverage(loadavg())} after${busy(loadBefore) || busy(loadavg()) ? ': the machine was busy, expect noisy times (run again when idle)' : ''}\n`);
    console.log(
      table(
        ['function', 'bundle', 'floor', 'x', 'gzip', 'floor gz', 'x', 'load ms', 'floor ms', 'x', 'require ms', 'floor', 'x', 'fastest x', 'size', 'load'],
        functionResults.map((result, index) => {
          const cold = result.coldStart;
          return [
            result.name,
            kb(result.size.bytes),
            kb(result.floorSize.bytes),
            result.sizeRatio.toFixed(2),
            kb(result.size.gzipBytes),
            kb(result.floorSize.gzipBytes),
            result.gzipRatio.toFixed(2),
            cold?.oursMs.toFixed(0) ?? '-',
            cold?.floorMs.toFixed(0) ?? '-',
            cold?.ratio.toFixed(2) ?? '-',
            cold?.oursRequireMs.toFixed(0) ?? '-',
            cold?.floorRequireMs.toFixed(0) ?? '-',
            cold?.requireRatio.toFixed(2) ?? '-',
            cold?.fastestRatio.toFixed(2) ?? '-',
            targetRows[index].size,
            targetRows[index].load,
          ];
        }),
      ),
    );
    for (const result of functionResults) {
      if (result.sizeOverFloorByPackage.length === 0) continue;
      const extra = result.sizeOverFloorByPackage.filter((entry) => entry.bytes > 0).slice(0, 6);
      console.log(`  ${result.name}: over the floor ${kb(result.size.bytes - result.floorSize.bytes)}: ${extra.map((entry) => `${entry.package} ${kb(entry.bytes)}`).join(', ')}`);
      if (result.rebuildBytes !== undefined && Math.abs(result.rebuildBytes - result.size.bytes) > result.size.bytes * 0.01) {
        console.log(`  (a rebuild of ${result.name} is ${kb(result.rebuildBytes)}, not ${kb(result.size.bytes)}: is cdk.out stale?)`);
      }
    }
    console.log(
      `\nHandler time per event (mocked clients, the ledger an in-memory table; a mocked send() costs ${mockDispatchUs.toFixed(1)} µs and the table's own work` +
        ` is clocked: both left out of "own")\n`,
    );
    const ledgerMix = (calls: ScenarioResult['ledgerCalls']): string =>
      Object.entries(calls)
        .map(([command, count]) => `${String(count)} ${command.replace(/Command$/, '')}`)
        .join(', ');
    console.log(
      table(
        ['scenario', 'decision', 'SDK calls', 'ledger (of them)', 'mean µs', 'p50 µs', 'p99 µs', `best ${String(HISTORY_BATCH)} µs`, 'table µs', 'own mean µs'],
        scenarios.map((scenario) => [
          scenario.scenario,
          scenario.decision,
          String(scenario.sdkCallsPerEvent),
          `${String(scenario.ledgerCallsPerEvent)}${scenario.ledgerCallsPerEvent > 0 ? ` (${ledgerMix(scenario.ledgerCalls)})` : ''}`,
          scenario.meanUs.toFixed(0),
          scenario.p50Us.toFixed(0),
          scenario.p99Us.toFixed(0),
          scenario.bestBatchMeanUs.toFixed(0),
          scenario.fakeTableUs.toFixed(0),
          scenario.ownMeanUs.toFixed(0),
        ]),
      ),
    );
    console.log('\nTargets');
    for (const row of targetRows) {
      const result = functionResults.find((candidate) => candidate.name === row.name);
      console.log(`  ${row.size}  ${row.name}: size within ${TARGETS.sizeRatio.toFixed(1)}x of the floor (${result?.sizeRatio.toFixed(2) ?? '?'}x)`);
      console.log(`  ${row.load}  ${row.name}: cold-start load within ${TARGETS.loadRatio.toFixed(1)}x of the floor (${result?.coldStart?.ratio.toFixed(2) ?? '?'}x)`);
    }
    console.log(`  ${perEvent}  handler: under ${String(TARGETS.perEventMs)} ms per event of our own work (worst mean ${(worstMeanUs / 1000).toFixed(3)} ms, worst p99 ${(worstP99Us / 1000).toFixed(3)} ms)`);

    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const report = {
      generatedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim(),
        loadAverageBefore: loadBefore.map((value) => round(value, 2)),
        loadAverageAfter: loadavg().map((value) => round(value, 2)),
      },
      options: { runs: options.runs, eventsPerScenario: options.events, warmup: options.warmup },
      targets: TARGETS,
      coldStartBaselineMs: round(baselineMs),
      functions: functionResults,
      handler: { mockDispatchUs, scenarios },
      verdicts: {
        functions: targetRows,
        perEvent: { verdict: perEvent, worstMeanMs: round(worstMeanUs / 1000, 3), worstP99Ms: round(worstP99Us / 1000, 3) },
      },
      durationSeconds: round((Date.now() - started) / 1000),
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWrote ${relative(REPO_ROOT, RESULTS_FILE)} (${report.durationSeconds.toFixed(0)} s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:lambda failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
