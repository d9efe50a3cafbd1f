/**
 * The sweep's REAL state machine definition (cdk.out: the DefinitionString of the stack's AWS::StepFunctions::StateMachine,
 * its Refs and GetAtts resolved to moto resources) run by moto's Step Functions engine, to prove the ASL's control flow and
 * data paths: Plan -> Distributed Map (ItemReader on the S3 shards file, ItemSelector, each child SweepPage -> 'ShardDone?'
 * -> SweepPage ..., the Catch) -> ResultWriter -> Summarize, and the Map's Catch to SummarizeFailedMap.
 *
 * moto runs the engine with `{"stepfunctions": {"execute_state_machine": true}}` (POST /moto-api/config); with
 * `{"lambda": {"use_docker": false}}` an Invoke of an existing function answers with the next queued result
 * (POST /moto-api/static/lambda-simple/response), or else echoes its payload. So the Plan's result is queued, and an
 * unqueued Summarize answers with exactly the payload the state machine built for it: the execution's output.
 * The engine calls Lambda and S3 back at http://localhost:$MOTO_PORT (moto_server sets it from -p; startEmulator too).
 *
 * One change to the definition, for moto only (see MOTO-NOTES.md, section 17): moto 5.2.1's ASL grammar takes
 * `ToleratedFailurePercentage` only as a decimal NUMBER token, so the synthesized `"ToleratedFailurePercentage":100`
 * (an INT token) is a parse error; the test writes the same value as `100.0`. moto ignores the setting anyway.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { readTemplate, type Template } from '../../tools/local/cdk-out';
import { startEmulator, type Emulator } from '../../tools/local/emulator';
import { motoGate } from '../support/moto-gate';

jest.setTimeout(120_000);
const gate = motoGate('the sweep state machine in moto\'s Step Functions engine');

const ACCOUNT = '123456789012';
const BUCKET = 'sagemaker-guard-sweep';
const ROLE_NAME = 'sweep-machine';
/** The sweep's three functions, by the construct id in their aws:cdk:path (tools/local/cdk-out.ts FUNCTIONS). */
const FUNCTION_IDS = { plan: 'SweepPlan', page: 'Sweep', summarize: 'SweepSummary' } as const;
type Task = keyof typeof FUNCTION_IDS;
/** An empty zip archive (its end-of-central-directory record only): moto keeps the code, never runs it. */
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/** The sweep's AWS::StepFunctions::StateMachine and the logical ids of its three functions. */
function sweepMachine(template: Template): { definition: { 'Fn::Join': [string, unknown[]] }; logicalIds: Record<Task, string>; bucketIds: ReadonlySet<string> } {
  const machines = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`);
  const definition = machines[0].Properties?.DefinitionString as { 'Fn::Join': [string, unknown[]] } | undefined;
  if (definition?.['Fn::Join'] === undefined) throw new Error('the state machine\'s DefinitionString is not an Fn::Join');
  const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const idOf = (constructId: string): string => {
    const found = functions.filter(([, resource]) => ((path) => typeof path === 'string' && path.split('/').includes(constructId))(resource.Metadata?.['aws:cdk:path']));
    if (found.length !== 1) throw new Error(`expected one function with ${constructId} in its aws:cdk:path, found ${found.length}`);
    return found[0][0];
  };
  const bucketIds = new Set(Object.entries(template.Resources).flatMap(([id, resource]) => (resource.Type === 'AWS::S3::Bucket' ? [id] : [])));
  return { definition, logicalIds: { plan: idOf(FUNCTION_IDS.plan), page: idOf(FUNCTION_IDS.page), summarize: idOf(FUNCTION_IDS.summarize) }, bucketIds };
}

/** Joins the DefinitionString, each Ref and GetAtt replaced by what `resolve` gives for the logical id. */
function resolveDefinition(join: { 'Fn::Join': [string, unknown[]] }, resolve: (ref: { Ref?: string; 'Fn::GetAtt'?: [string, string] }) => string): string {
  const [separator, parts] = join['Fn::Join'];
  return parts.map((part) => (typeof part === 'string' ? part : resolve(part as { Ref?: string; 'Fn::GetAtt'?: [string, string] }))).join(separator);
}

/** moto 5.2.1 parses ToleratedFailurePercentage only as a decimal (see the file's comment): the same value, as 100.0. */
function forMoto(definition: string): string {
  const integer = /"ToleratedFailurePercentage":(\d+)([,}])/g;
  if (definition.match(integer)?.length !== 1) throw new Error('expected exactly one integer ToleratedFailurePercentage in the definition');
  return definition.replace(integer, '"ToleratedFailurePercentage":$1.0$2');
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

gate.describe('the sweep state machine (cdk.out) in moto\'s Step Functions engine', () => {
  let emulator: Emulator;
  let sfn: SFNClient;
  let s3: S3Client;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let machine: ReturnType<typeof sweepMachine>;

  beforeAll(async () => {
    machine = sweepMachine(readTemplate());
    emulator = await startEmulator();
    const config = { endpoint: emulator.endpoint, region: emulator.region, credentials: { accessKeyId: emulator.env.AWS_ACCESS_KEY_ID, secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY } };
    sfn = new SFNClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    lambda = new LambdaClient(config);
    iam = new IAMClient(config);
  }, 60_000);

  afterAll(async () => {
    // Any of them is undefined when beforeAll failed half-way.
    for (const client of [sfn, s3, lambda, iam] as ({ destroy(): void } | undefined)[]) client?.destroy();
    await (emulator as Emulator | undefined)?.stop();
  });

  async function motoApi(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${emulator.endpoint}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`POST ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  }

  /** The next Lambda invocations (of any function) answer these, in order; after them, each echoes its payload. */
  const queueResults = (...results: unknown[]): Promise<void> =>
    motoApi('/moto-api/static/lambda-simple/response', { account_id: ACCOUNT, region: emulator.region, results: results.map((result) => JSON.stringify(result)) });

  let roleArn: string;
  beforeEach(async () => {
    await emulator.reset();
    // moto's reset keeps this config; it is set before any function is created (it picks the Lambda backend).
    await motoApi('/moto-api/config', { stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } });
    roleArn = (await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }))).Role?.Arn ?? '';
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  /** Creates the three functions and the state machine from the synthesized definition. */
  async function createMachine(name: string): Promise<{ arn: string; functionArns: Record<Task, string> }> {
    const functionArns = {} as Record<Task, string>;
    for (const task of Object.keys(FUNCTION_IDS) as Task[]) {
      const functionName = `sweep-${task}`;
      functionArns[task] = `arn:aws:lambda:${emulator.region}:${ACCOUNT}:function:${functionName}`;
      const created = await lambda.send(new CreateFunctionCommand({ FunctionName: functionName, Runtime: 'nodejs22.x', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
      expect(created.FunctionArn).toBe(functionArns[task]);
    }
    const byLogicalId = new Map((Object.keys(FUNCTION_IDS) as Task[]).map((task) => [machine.logicalIds[task], functionArns[task]]));
    const bucketIds = new Set<string>();
    const definition = resolveDefinition(machine.definition, (ref) => {
      if (ref.Ref === 'AWS::Partition') return 'aws';
      if (ref.Ref !== undefined) {
        if (!machine.bucketIds.has(ref.Ref)) throw new Error(`the definition references ${ref.Ref}, not a bucket of the stack`);
        bucketIds.add(ref.Ref);
        return BUCKET;
      }
      const [logicalId, attribute] = ref['Fn::GetAtt'] ?? ['', ''];
      const arn = byLogicalId.get(logicalId);
      if (arn === undefined || attribute !== 'Arn') throw new Error(`the definition references ${logicalId}.${attribute}, not one of the sweep's functions`);
      return arn;
    });
    // The only other resource the definition names is the sweep's bucket (ItemReader and ResultWriter).
    expect(bucketIds.size).toBe(1);
    const created = await sfn.send(new CreateStateMachineCommand({ name, definition: forMoto(definition), roleArn, type: 'STANDARD' }));
    if (created.stateMachineArn === undefined) throw new Error('CreateStateMachine returned no ARN');
    return { arn: created.stateMachineArn, functionArns };
  }

  async function run(stateMachineArn: string, name: string): Promise<{ execution: DescribeExecutionCommandOutput; history: HistoryEvent[] }> {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{}' }));
    const executionArn = started.executionArn ?? '';
    const deadline = Date.now() + 90_000;
    for (;;) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') {
        const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
        return { execution, history };
      }
      if (Date.now() > deadline) throw new Error(`execution ${name} still RUNNING after 90 s:\n${emulator.output().split('\n').slice(-20).join('\n')}`);
      await delay(250);
    }
  }

  /** The names of the states the top-level execution entered, in order. */
  const statesEntered = (history: HistoryEvent[]): string[] => history.flatMap((event) => (event.stateEnteredEventDetails?.name !== undefined ? [event.stateEnteredEventDetails.name] : []));
  /** The parameters each Lambda task was scheduled with, in order (FunctionName and Payload). */
  const scheduled = (history: HistoryEvent[]): { FunctionName: string; Payload: unknown }[] =>
    history.flatMap((event) => (event.taskScheduledEventDetails?.parameters !== undefined ? [JSON.parse(event.taskScheduledEventDetails.parameters) as { FunctionName: string; Payload: unknown }] : []));

  const shard = (kind: string, progress: Record<string, unknown>): Record<string, unknown> => ({
    shard: { account: ACCOUNT, region: 'us-east-1', kind },
    done: false,
    pages: 0,
    tasks: 0,
    tally: {},
    ...progress,
  });

  async function putShards(key: string, shards: unknown[]): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(shards), ContentType: 'application/json' }));
  }

  /** What the plan task returns (lambda/handlers/sweep.ts PlanResult); `deadline` for a definition whose ItemSelector passes it on. */
  const planResult = (runId: string, itemsKey: string, shardCount: number) => ({ runId, startedAt: '2026-01-01T00:00:00.000Z', deadline: '2026-01-01T22:00:00.000Z', itemsKey, shardCount, accountCount: 1, regions: ['us-east-1'] });

  test('Plan -> Map over the S3 shards (each child: SweepPage, ShardDone? -> ShardFinished) -> ResultWriter -> Summarize gets the run, the plan and the results', async () => {
    const { arn, functionArns } = await createMachine('sweep-ok');
    const runId = 'run-ok';
    const itemsKey = `runs/${runId}/shards.json`;
    await putShards(itemsKey, [shard('notebook-instance', { done: true, pages: 1, tasks: 1 }), shard('model', { done: true, pages: 2, tasks: 1 })]);
    const plan = planResult(runId, itemsKey, 2);
    await queueResults(plan);

    const { execution, history } = await run(arn, runId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history)).toEqual(['Plan', 'Shards', 'Summarize']);

    // The Plan's payload: the execution's name and start time, and its input.
    const calls = scheduled(history);
    expect(calls.map((call) => call.FunctionName)).toEqual([functionArns.plan, functionArns.summarize]);
    const startedAt = (calls[0].Payload as { startedAt: string }).startedAt;
    expect(calls[0].Payload).toEqual({ runId, startedAt: expect.any(String) as unknown, input: {} });
    expect(Date.parse(startedAt)).not.toBeNaN();

    // Summarize's payload, echoed back as the run's output: exactly what the summary task would read.
    const output = JSON.parse(execution.output ?? 'null') as { results: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } } };
    expect(output).toEqual({
      runId,
      startedAt,
      stateMachineArn: arn,
      plan,
      results: { MapRunArn: expect.stringContaining(':mapRun:') as unknown, ResultWriterDetails: { Bucket: BUCKET, Key: expect.stringMatching(/^results\/.+\/manifest\.json$/) as unknown } },
    });
    expect(calls[1].Payload).toEqual(output);

    // The ResultWriter's manifest is where the results say (moto writes it with no result files: MOTO-NOTES section 17).
    const manifest = JSON.parse((await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: output.results.ResultWriterDetails.Key }))).Body?.transformToString()) ?? 'null') as {
      ResultFiles?: Record<string, unknown[]>;
    };
    expect(manifest).toMatchObject({ ResultFiles: expect.any(Object) as unknown });

    // Both shards were read from S3 and ran as children, each ending in a Succeed.
    const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn: output.results.MapRunArn }));
    expect(mapRun.itemCounts).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    expect(mapRun.maxConcurrency).toBe(40);
  });

  test('a child loops SweepPage -> ShardDone? -> SweepPage until its progress says done, then the run goes on to Summarize', async () => {
    const { arn } = await createMachine('sweep-loop');
    const runId = 'run-loop';
    const itemsKey = `runs/${runId}/shards.json`;
    const first = shard('training-job', {});
    await putShards(itemsKey, [first]);
    const afterOne = { runId, progress: { ...first, cursor: 'page-2', pages: 1, tasks: 1 }, handBack: false };
    const afterTwo = { runId, progress: { ...first, done: true, pages: 2, tasks: 2 }, handBack: false };
    // Plan, two SweepPage tasks, then Summarize: a third page task (or a child that stopped after one) would take the
    // sentinel meant for Summarize, and the run's output would not be it.
    const sentinel = { summary: 'sentinel' };
    await queueResults(planResult(runId, itemsKey, 1), afterOne, afterTwo, sentinel);

    const { execution, history } = await run(arn, runId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history)).toEqual(['Plan', 'Shards', 'Summarize']);
    expect(JSON.parse(execution.output ?? 'null')).toEqual(sentinel);
    const mapRunArn = (scheduled(history)[1].Payload as { results: { MapRunArn: string } }).results.MapRunArn;
    expect((await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).itemCounts).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
  });

  test('a shard file the Map cannot read: the Catch sends the plan and mapError to SummarizeFailedMap', async () => {
    const { arn } = await createMachine('sweep-map-fails');
    const runId = 'run-no-shards';
    const plan = planResult(runId, `runs/${runId}/shards.json`, 2); // never written
    await queueResults(plan);

    const { execution, history } = await run(arn, runId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history)).toEqual(['Plan', 'Shards', 'SummarizeFailedMap']);
    const output = JSON.parse(execution.output ?? 'null') as Record<string, unknown>;
    expect(output).toEqual({
      runId,
      startedAt: expect.any(String) as unknown,
      stateMachineArn: arn,
      plan,
      mapError: { Error: 'States.Runtime', Cause: expect.stringContaining('NoSuchKey') as unknown },
    });
    expect(output).not.toHaveProperty('results');
  });

  test('a plan result without itemsKey: the ItemReader has no key, the Map fails, and SummarizeFailedMap gets the plan and mapError', async () => {
    const { arn } = await createMachine('sweep-no-items-key');
    const runId = 'run-no-items-key';
    const plan: Record<string, unknown> = { ...planResult(runId, 'unused', 0) };
    delete plan.itemsKey;
    await queueResults(plan);

    const { execution, history } = await run(arn, runId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history)).toEqual(['Plan', 'Shards', 'SummarizeFailedMap']);
    const output = JSON.parse(execution.output ?? 'null') as Record<string, unknown>;
    expect(output).toEqual({ runId, startedAt: expect.any(String) as unknown, stateMachineArn: arn, plan, mapError: { Error: 'States.Runtime', Cause: expect.stringContaining("The JSONPath '$.plan.value.itemsKey' could not be found") as unknown } });
  });
});
