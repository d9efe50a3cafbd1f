/**
 * The Step Functions sweep's tasks, driven in the state machine's order (test/support/sweep-driver.ts) on mocked
 * clients: a single-account guard sweeps its own account and region, kind by kind, through the responder pipeline.
 */
import {
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { MAX_SUMMARY_LINES, SweepTally } from '../../lambda/core/summary';
import { makeSweepTasks, PAGES_PER_TASK, TASK_BUDGET_MS } from '../../lambda/handlers/sweep';
import type { Runtime } from '../../lambda/pipeline/handle';
import { model, settings, trainingJob } from '../fixtures/resources';
import { Ledger } from '../../lambda/aws/ledger';
import { attribute, LEDGER_TABLE, named, NOW, publishedNotice, resetMocks, sageMakerMock, snsMock, SWITCH_PARAMETER, table, TOPIC_ARN, validation } from '../handlers/harness';
import { driveSweep, MemoryObjects } from '../support/sweep-driver';

const BUCKET = 'sweep-bucket';
const runtime: Runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', switchParameter: SWITCH_PARAMETER, ledger: new Ledger(LEDGER_TABLE), now: () => NOW };
let objects: MemoryObjects;
const tasksFor = (over: Partial<Runtime> = {}) => makeSweepTasks({ ...runtime, ...over }, { bucket: BUCKET, objects });
const run = (runId = 'sweep-run-1', over: Partial<Runtime> = {}, remaining = 900_000) =>
  driveSweep(tasksFor(over), objects, { bucket: BUCKET, runId, startedAt: NOW.toISOString(), context: { getRemainingTimeInMillis: () => remaining } });

/** The notices published, by their `kind` attribute. */
function noticesOfKind(kind: string) {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).filter((input) => attribute(input, 'kind') === kind);
}

beforeEach(() => {
  resetMocks();
  objects = new MemoryObjects();
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [] });
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
});

describe('the sweep on Step Functions, one account', () => {
  test('plans one shard per kind, lists page by page, acts through the responder pipeline, tells each owner, and sends one summary', async () => {
    sageMakerMock
      .on(ListTrainingJobsCommand, { StatusEquals: 'InProgress', MaxResults: 100 })
      .resolvesOnce({ TrainingJobSummaries: [{ TrainingJobName: 'open-job' } as never, { TrainingJobName: 'good-job' } as never], NextToken: 'page-2' })
      .resolvesOnce({ TrainingJobSummaries: [{ TrainingJobName: 'throttled-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: 'open-job' }).resolves(trainingJob({ TrainingJobName: 'open-job', TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/open-job', EnableNetworkIsolation: false }));
    sageMakerMock.on(ListTagsCommand, { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/open-job' }).resolves({ Tags: [{ Key: 'owner', Value: 'team-a' }] });
    sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: 'good-job' }).resolves(trainingJob({ TrainingJobName: 'good-job' }));
    sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: 'throttled-job' }).rejects(named('ThrottlingException', 'Rate exceeded'));
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'vanished' } as never, { ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'vanished' }).rejects(validation('Could not find model "vanished".'));
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));

    const drive = await run();

    expect(drive.plan).toMatchObject({ runId: 'sweep-run-1', shardCount: 8, accountCount: 1, regions: ['us-east-1'], itemsKey: 'runs/sweep-run-1/shards.json', outbox: { sent: 0, failed: 0, busy: 0 } });
    expect(drive.summary).toEqual({ checked: 5, withFindings: 2, failures: 1, unreachable: 0, unfinished: 0, notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: 'open-job' });
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
    // One notice per resource acted on, as the responder sends, with the owner attribute its owner filters on.
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 3);
    const perResource = [...noticesOfKind('training-job'), ...noticesOfKind('model')];
    expect(perResource.map((input) => input.Subject)).toEqual([
      '[sagemaker-guard] Stopped training job open-job: 1 control failed',
      '[sagemaker-guard] Deleted model open-model: 1 control failed',
    ]);
    expect(attribute(perResource[0], 'owner')).toBe('team-a');
    const notice = publishedNotice(2);
    expect(notice.subject).toBe('[sagemaker-guard] Sweep of 123456789012 us-east-1: 2 of 5 resources fail controls');
    expect(notice.attributes).toEqual({ kind: 'sweep', action: 'summary', severity: 'high', account: '123456789012', region: 'us-east-1' });
    expect(notice.message).toContain('2 fail security controls, 1 could not be checked');
    expect(notice.message).toContain('  - training job open-job (InProgress): stopped\n    failed: training-job.network-isolation');
    expect(notice.message).toContain('  - model open-model: deleted\n    failed: model.vpc');
    expect(notice.message).toContain('  training-job.network-isolation: 1');
    expect(notice.message).toContain('Sweep id: sweep-run-1');
    expect(notice.message).toContain('NOTICES: 2 per-resource notices sent');
    expect(notice.message).toContain('EXEMPTIONS HONOURED: 0');
    expect(notice.message).not.toContain('NOT FINISHED');
    expect(objects.json(BUCKET, 'runs/sweep-run-1/resume.json')).toBeUndefined();
  });

  test('a second run finds the remediations in the ledger: no second stop, no second notice', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(named('AccessDeniedException', 'explicit deny in a service control policy'));
    await run('sweep-run-1');
    expect(noticesOfKind('model')).toHaveLength(1);
    await run('sweep-run-2');
    expect(noticesOfKind('model')).toHaveLength(1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 2);
  });

  test('a summary task that runs twice (Step Functions retried it) sends its notice once', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    const drive = await run();
    const tasks = tasksFor();
    const manifestKey = [...objects.objects.keys()].find((key) => key.endsWith('manifest.json'))?.slice(BUCKET.length + 1) ?? '';
    await tasks.summarize({ runId: 'sweep-run-1', startedAt: NOW.toISOString(), stateMachineArn: 'arn:sm', plan: drive.plan, results: { ResultWriterDetails: { Bucket: BUCKET, Key: manifestKey } } });
    expect(noticesOfKind('sweep')).toHaveLength(1);
  });

  test('honoured exemptions are counted and listed in the summary, and each reaches the operators once', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'legacy-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'legacy-model' }).resolves(model({ ModelName: 'legacy-model', VpcConfig: undefined }));
    const exempting = { settings: settings({ exemptions: [{ namePrefix: 'legacy-', kinds: ['model'], controls: 'all', reason: 'migration ticket SEC-42', expires: '2027-01-31' }] }) };
    const drive = await run('sweep-run-3', exempting);
    expect(drive.summary).toMatchObject({ checked: 1, withFindings: 0, notified: true });
    expect(noticesOfKind('model').map((input) => attribute(input, 'action'))).toEqual(['exempted']);
    const summary = noticesOfKind('sweep')[0];
    expect(summary.Message).toContain('EXEMPTIONS HONOURED: 1');
    expect(summary.Message).toContain('  - model legacy-model: model.vpc [policy prefix, until 2027-01-31: migration ticket SEC-42]');
  });

  test(`a task checks at most ${PAGES_PER_TASK} pages and returns the cursor; the next task resumes from it`, async () => {
    const pages = PAGES_PER_TASK + 5;
    // Each page by its cursor, recorded when the call is made (the paginator then changes its input in place).
    const tokens: (string | undefined)[] = [];
    sageMakerMock.on(ListModelsCommand).callsFake((input: { NextToken?: string }) => {
      tokens.push(input.NextToken);
      const index = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(2));
      return { Models: [{ ModelName: `m-${index}` }], ...(index < pages - 1 ? { NextToken: `t-${index + 1}` } : {}) };
    });
    sageMakerMock.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => model({ ModelName: input.ModelName }));
    const drive = await run();
    const models = drive.children.find((child) => child.output.progress.shard.kind === 'model');
    expect(models?.output.progress).toMatchObject({ done: true, pages, tasks: 2 });
    expect(drive.summary).toMatchObject({ checked: pages, unfinished: 0 });
    // No page twice, none skipped: the second task's first call sends the cursor the first task returned.
    expect(tokens).toEqual([undefined, ...Array.from({ length: pages - 1 }, (_, index) => `t-${index + 1}`)]);
    expect(tokens[PAGES_PER_TASK]).toBe(`t-${PAGES_PER_TASK}`);
  });

  test('a task whose function time runs short stops after the page in hand, and the next task goes on from there', async () => {
    sageMakerMock
      .on(ListModelsCommand)
      .resolvesOnce({ Models: [{ ModelName: 'm-1' } as never], NextToken: 't-2' })
      .resolvesOnce({ Models: [{ ModelName: 'm-2' } as never] });
    sageMakerMock.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => model({ ModelName: input.ModelName }));
    // Less than the task budget left: every task stops after its first page.
    const drive = await run('sweep-run-4', {}, TASK_BUDGET_MS - 1);
    const models = drive.children.find((child) => child.output.progress.shard.kind === 'model');
    expect(models?.output.progress).toMatchObject({ done: true, pages: 2, tasks: 2 });
    expect(drive.summary.checked).toBe(2);
  });

  test('a run past its deadline hands every unfinished shard back: the summary runs, names them and how to resume', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'm' } as never], NextToken: 'more' });
    sageMakerMock.on(DescribeModelCommand).resolves(model({ ModelName: 'm' }));
    // The run started 21 hours ago: its deadline (20 hours) has passed.
    const drive = await driveSweep(tasksFor(), objects, { bucket: BUCKET, runId: 'late-run', startedAt: new Date(NOW.getTime() - 21 * 3_600_000).toISOString() });
    expect(drive.tasks).toBe(8);
    expect(drive.summary).toMatchObject({ checked: 0, unfinished: 8, notified: true, resumeKey: 'runs/late-run/resume.json' });
    expect(noticesOfKind('sweep')[0].Message).toContain("123456789012 us-east-1 model: stopped at the run's deadline; it resumes from its cursor");
  });

  test('the plan first sends the notices the ledger still owes (an SNS outage that outlasted the responder)', async () => {
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'later' });
    sageMakerMock.on(ListModelsCommand).resolvesOnce({ Models: [{ ModelName: 'open-model' } as never] }).resolves({ Models: [] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    await run('sweep-run-5');
    expect(table.all().filter((item) => item.notice === 'pending')).toHaveLength(1);
    const drive = await run('sweep-run-6', { now: () => new Date(NOW.getTime() + 10 * 60_000) });
    expect(drive.plan.outbox).toEqual({ sent: 1, failed: 0, busy: 0 });
    expect(noticesOfKind('model').filter((input) => input.Subject?.startsWith('[sagemaker-guard] Deleted model open-model'))).toHaveLength(2);
    expect(table.all().filter((item) => item.notice === 'pending')).toHaveLength(0);
  });

  test('nothing found: no notice', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'good-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob({ TrainingJobName: 'good-job' }));
    await expect(run().then((drive) => drive.summary)).resolves.toEqual({ checked: 1, withFindings: 0, failures: 0, unreachable: 0, unfinished: 0, notified: false });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a listing that is denied ends that shard as not finished (the others still run), the summary says so and how to resume it', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:ListTrainingJobs'));
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    const drive = await run('sweep-run-7');
    expect(drive.summary).toMatchObject({ checked: 1, withFindings: 1, unfinished: 1, notified: true, resumeKey: 'runs/sweep-run-7/resume.json' });
    const summary = noticesOfKind('sweep')[0];
    expect(summary.Subject).toContain('(incomplete)');
    expect(summary.Message).toContain('NOT FINISHED: 1 part (a kind in an account and region) did not finish:');
    expect(summary.Message).toContain('  - 123456789012 us-east-1 training job: AccessDeniedException: not authorized to perform: sagemaker:ListTrainingJobs');
    expect(summary.Message).toContain(`aws stepfunctions start-execution --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:SweepMachine --input '{"resumeKey":"runs/sweep-run-7/resume.json"}'`);
    expect(summary.Message).toContain('  - model open-model: deleted');
    expect(objects.json(BUCKET, 'runs/sweep-run-7/resume.json')).toEqual([expect.objectContaining({ shard: { account: '123456789012', region: 'us-east-1', kind: 'training-job' }, done: false })]);

    // The resumed run covers that shard only, from where it stopped, and the listing now works.
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'good-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob({ TrainingJobName: 'good-job' }));
    const resumed = await driveSweep(tasksFor(), objects, { bucket: BUCKET, runId: 'sweep-run-8', startedAt: NOW.toISOString(), input: { resumeKey: 'runs/sweep-run-7/resume.json' } });
    expect(resumed.plan).toMatchObject({ shardCount: 1, resumedFrom: 'runs/sweep-run-7/resume.json' });
    expect(resumed.summary).toMatchObject({ checked: 1, withFindings: 0, unfinished: 0, notified: false });
  });
});

describe('the sweep\'s tasks: plan and summary edge cases', () => {
  test('a hub plans its own account and every active account under the target OUs, in every region', async () => {
    const listAccounts = jest.fn(async () => Promise.resolve(['333344445555', '222233334444']));
    const tasks = makeSweepTasks(runtime, { bucket: BUCKET, objects, regions: ['us-east-1', 'eu-west-1'], targetOus: ['ou-ab12-cdef3456'], listAccounts });
    const plan = await tasks.plan({ runId: 'run-hub', startedAt: NOW.toISOString() });
    expect(listAccounts).toHaveBeenCalledWith(['ou-ab12-cdef3456']);
    expect(plan).toMatchObject({ shardCount: 3 * 2 * 8, accountCount: 3, regions: ['eu-west-1', 'us-east-1'] });
    const shards = objects.json(BUCKET, plan.itemsKey) as { shard: { account: string } }[];
    expect([...new Set(shards.map((item) => item.shard.account))]).toEqual(['123456789012', '222233334444', '333344445555']);
  });

  test.each([
    [{ startedAt: NOW.toISOString() }, 'runId: '],
    [{ runId: 'has space', startedAt: NOW.toISOString() }, 'runId: expected the execution name'],
    [{ runId: 'r', startedAt: NOW.toISOString(), input: { resumeKey: '../../other/resume.json' } }, 'input.resumeKey: expected runs/<run id>/resume.json'],
  ])('a plan input %j is refused, naming the field', async (input, message) => {
    await expect(tasksFor().plan(input)).rejects.toThrow(`the sweep's plan task got an input it cannot use: ${message}`);
    expect(objects.objects.size).toBe(0);
  });

  test('a plan that failed: one notice says the sweep could not start and why', async () => {
    const summary = await tasksFor().summarize({ runId: 'run-x', startedAt: NOW.toISOString(), stateMachineArn: 'arn:sm', planError: { Error: 'AccessDeniedException', Cause: 'organizations:ListAccountsForParent denied' } });
    expect(summary).toMatchObject({ checked: 0, notified: true });
    const notice = noticesOfKind('sweep')[0];
    expect(notice.Subject).toContain('(incomplete)');
    expect(notice.Message).toContain('INCOMPLETE: the sweep could not start: its plan failed (AccessDeniedException: organizations:ListAccountsForParent denied); nothing was checked');
  });

  test('a Map that failed: one notice says its results are lost', async () => {
    const plan = { itemsKey: 'runs/run-y/shards.json', shardCount: 8, accountCount: 1, regions: ['us-east-1'] };
    await tasksFor().summarize({ runId: 'run-y', startedAt: NOW.toISOString(), stateMachineArn: 'arn:sm', plan, mapError: { Error: 'States.ResultWriterFailed', Cause: 'bucket gone' } });
    expect(noticesOfKind('sweep')[0].Message).toContain("INCOMPLETE: the sweep's Map failed (States.ResultWriterFailed: bucket gone)");
  });

  test('results that account for fewer shards than planned: the notice says how many reported nothing', async () => {
    await objects.putJson(BUCKET, 'results/m/manifest.json', { DestinationBucket: BUCKET, MapRunArn: 'arn:map', ResultFiles: { SUCCEEDED: [], FAILED: [], PENDING: [] } });
    const plan = { itemsKey: 'runs/run-z/shards.json', shardCount: 8, accountCount: 1, regions: ['us-east-1'] };
    const summary = await tasksFor().summarize({ runId: 'run-z', startedAt: NOW.toISOString(), stateMachineArn: 'arn:sm', plan, results: { ResultWriterDetails: { Bucket: BUCKET, Key: 'results/m/manifest.json' } } });
    expect(summary).toMatchObject({ checked: 0, unfinished: 8, notified: true });
    expect(noticesOfKind('sweep')[0].Message).toContain('INCOMPLETE: 8 of its 8 parts reported no result');
  });
});

describe('SweepTally', () => {
  test('keeps counts for everything but at most MAX_SUMMARY_LINES lines of detail', () => {
    const tally = new SweepTally();
    const finding = { controlId: 'model.vpc', title: 't', why: 'w', fix: 'f', severity: 'high', observed: 'o', mode: 'enforce', modeSource: 'policy.mode' } as const;
    for (let index = 0; index < MAX_SUMMARY_LINES + 25; index += 1) {
      tally.add({ kind: 'model', name: `m-${index}`, decision: 'report', findings: [finding] });
    }
    tally.add({ kind: 'model', name: 'exempted', decision: 'exempt', findings: [{ ...finding, mode: 'exempt', modeSource: 'exemption-tag' }] });
    expect(tally.checked).toBe(MAX_SUMMARY_LINES + 26);
    expect(tally.withFindings).toBe(MAX_SUMMARY_LINES + 25);
    expect(tally.lines).toHaveLength(MAX_SUMMARY_LINES);
    expect(tally.byControl).toEqual({ 'model.vpc': MAX_SUMMARY_LINES + 25 });
    expect(tally.lines[0]).toEqual({ kind: 'model', name: 'm-0', decision: 'report', action: 'would be deleted (report mode)', failed: ['model.vpc'] });
  });
});
