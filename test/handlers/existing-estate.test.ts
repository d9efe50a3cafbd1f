/**
 * The existing estate: what was there before the guard began enforcing is reported to its owner, not
 * stopped or deleted, unless the policy's sweep.actOnExisting says to act. New resources are acted on.
 * The ledger records when enforcement began; the responders decide on Describe's times, never on tags.
 */
import {
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { Ledger } from '../../lambda/aws/ledger';
import { makeEnforcementStartHandler } from '../../lambda/handlers/enforcement-start';
import { makeSweepTasks } from '../../lambda/handlers/sweep';
import { driveSweep, MemoryObjects } from '../support/sweep-driver';
import { ENFORCEMENT_KEY } from '../../lambda/ledger/records';
import { model, notebook, privateNetwork, settings, trainingJob, type NotebookOverrides } from '../fixtures/resources';
import {
  event,
  handlerFor,
  LEDGER_TABLE,
  mockNetwork,
  named,
  NOW,
  publishedNotice,
  remediationRecords,
  resetMocks,
  sageMakerMock,
  setEnforcementSince,
  setSwitch,
  snsMock,
  SWITCH_PARAMETER,
  table,
  TOPIC_ARN,
} from './harness';

const NOTEBOOK = 'BasicNotebookInstance-x4CC6ZFJzqJJ';
const JOB = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const MODEL = 'ChurnModel-v2';
const inService = event('variants/notebook-instance.inservice.json');
const inProgress = event('variants/training-job.in-progress.json');
const created = event('variants/model.created.json');

/** Enforcement began on 2026-11-15; NOW is 2026-11-22. */
const SINCE = '2026-11-15T00:00:00.000Z';
const BEFORE = new Date('2026-11-10T08:00:00Z');
const AFTER = new Date('2026-11-20T08:00:00Z');

function notebookAs(overrides: NotebookOverrides, tags: Record<string, string> = {}): void {
  sageMakerMock
    .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: NOTEBOOK })
    .resolves(notebook({ NotebookInstanceName: NOTEBOOK, RootAccess: 'Enabled', CreationTime: new Date('2025-01-01T00:00:00Z'), ...overrides }, null).notebook);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

function jobAs(creationTime: Date | undefined): void {
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(trainingJob({ TrainingJobName: JOB, EnableNetworkIsolation: false, CreationTime: creationTime }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
}

function modelAs(creationTime: Date): void {
  sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL }).resolves(model({ VpcConfig: undefined, CreationTime: creationTime }));
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
}

beforeEach(() => {
  resetMocks();
  mockNetwork(privateNetwork());
  setEnforcementSince(SINCE);
});

describe('the existing estate is reported, not acted on', () => {
  test('a notebook running since before enforcement: not stopped; its owner is told why, once', async () => {
    notebookAs({ LastModifiedTime: BEFORE }, { owner: 'team-a' });
    const result = await handlerFor('notebook-instance')(inService);

    expect(result).toEqual({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    const notice = publishedNotice();
    // SNS subjects stop at 100 characters.
    expect(notice.subject).toBe(`[sagemaker-guard] Would stop existing notebook instance ${NOTEBOOK}: 1 con...`);
    expect(notice.attributes).toMatchObject({ action: 'would-stop', owner: 'team-a' });
    expect(notice.message).toContain(`was last started or updated before the guard began enforcing (${SINCE})`);
    expect(notice.message).toContain('sweep.actOnExisting is off');
    expect(notice.message).toContain('the guard will stop it the next time it is started');
    expect(remediationRecords()).toMatchObject([{ action: 'report', result: { type: 'reported' }, notice: 'sent' }]);

    // A copy of the event, or the next sweep: the ledger already told it.
    await expect(handlerFor('notebook-instance')(inService)).resolves.toEqual({ decision: 'duplicate', notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('the same notebook started again after enforcement began is a new episode: stopped', async () => {
    notebookAs({ LastModifiedTime: AFTER });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(sageMakerMock).toHaveReceivedCommandWith(StopNotebookInstanceCommand, { NotebookInstanceName: NOTEBOOK });
  });

  test('a training job created before enforcement keeps running; one created after is stopped', async () => {
    jobAs(BEFORE);
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'report' });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(publishedNotice().message).toContain('this training job was created before the guard began enforcing');

    resetMocks();
    setEnforcementSince(SINCE);
    jobAs(AFTER);
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate' });
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: JOB });
  });

  test('a model created before enforcement is not deleted', async () => {
    modelAs(BEFORE);
    await expect(handlerFor('model')(created)).resolves.toMatchObject({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
  });

  test('sweep.actOnExisting: true acts on the existing estate too', async () => {
    notebookAs({ LastModifiedTime: BEFORE });
    await expect(handlerFor('notebook-instance', { sweep: { actOnExisting: true } })(inService)).resolves.toMatchObject({ decision: 'remediate' });
    expect(sageMakerMock).toHaveReceivedCommand(StopNotebookInstanceCommand);
  });

  test('a resource whose creation time Describe does not give is acted on: only proof of age spares it', async () => {
    jobAs(undefined);
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate' });
    expect(sageMakerMock).toHaveReceivedCommand(StopTrainingJobCommand);
  });

  test('turning actOnExisting on later: the next run acts on a resource that was only reported', async () => {
    notebookAs({ LastModifiedTime: BEFORE });
    await handlerFor('notebook-instance')(inService);
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    await expect(handlerFor('notebook-instance', { sweep: { actOnExisting: true } })(inService)).resolves.toMatchObject({ decision: 'remediate', actionResult: { type: 'done' } });
    expect(sageMakerMock).toHaveReceivedCommand(StopNotebookInstanceCommand);
  });
});

describe('when enforcement began', () => {
  test('the deploy-time function records now, once; a later deploy keeps the first time', async () => {
    setEnforcementSince(undefined);
    const first = makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => new Date(SINCE));
    await expect(first()).resolves.toEqual({ since: SINCE, recorded: true });
    expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toEqual({ ...ENFORCEMENT_KEY, type: 'enforcement-began', since: SINCE, by: 'deploy' });
    const later = makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => NOW);
    await expect(later()).resolves.toEqual({ since: SINCE, recorded: false });
  });

  test('the deploy-time function fails loudly when the ledger refuses the write (the deploy rolls back)', async () => {
    setEnforcementSince(undefined);
    table.failOn('PutCommand', named('AccessDeniedException', 'not authorized to perform dynamodb:PutItem'));
    await expect(makeEnforcementStartHandler(new Ledger(LEDGER_TABLE), () => NOW)()).rejects.toThrow('dynamodb:PutItem');
  });

  test('no record yet (a table restored without it): the first run that would act records now, and spares what existed', async () => {
    setEnforcementSince(undefined);
    notebookAs({ LastModifiedTime: BEFORE });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'report' });
    expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toMatchObject({ since: NOW.toISOString(), type: 'enforcement-began' });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
  });

  test('a report-only policy never records it: enforcement has not begun', async () => {
    setEnforcementSince(undefined);
    notebookAs({ LastModifiedTime: BEFORE });
    await expect(handlerFor('notebook-instance', { mode: 'report' })(inService)).resolves.toMatchObject({ decision: 'report' });
    expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toBeUndefined();
    expect(publishedNotice().subject).toBe(`[sagemaker-guard] Would stop notebook instance ${NOTEBOOK}: 1 control failed`);
  });

  test('the switch at report records nothing either', async () => {
    setEnforcementSince(undefined);
    setSwitch('report');
    notebookAs({ LastModifiedTime: BEFORE });
    await handlerFor('notebook-instance')(inService);
    expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toBeUndefined();
  });

  test('the record is written once: a later run keeps the first time', async () => {
    setEnforcementSince(undefined);
    notebookAs({ LastModifiedTime: BEFORE });
    await handlerFor('notebook-instance', {}, { now: () => new Date('2026-11-01T00:00:00Z') })(inService);
    await handlerFor('notebook-instance', {}, { now: () => NOW })(inService);
    expect(table.all().find((item) => item.pk === ENFORCEMENT_KEY.pk)).toMatchObject({ since: '2026-11-01T00:00:00.000Z' });
  });

  test('the ledger cannot be read: the run fails before any action (retried, then dead-lettered), never acts blindly', async () => {
    notebookAs({ LastModifiedTime: AFTER });
    table.failOn('GetCommand', named('ProvisionedThroughputExceededException', 'throttled'));
    await expect(handlerFor('notebook-instance')(inService)).rejects.toThrow('throttled');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('the sweep summary counts the existing estate', () => {
  test('reported resources are listed as existing estate with the way to act on them', async () => {
    sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'old-model' } as never, { ModelName: 'new-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'old-model' }).resolves(model({ ModelName: 'old-model', VpcConfig: undefined, CreationTime: BEFORE }));
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'new-model' }).resolves(model({ ModelName: 'new-model', VpcConfig: undefined, CreationTime: AFTER }));
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    // The existing-estate counts cross from the tasks that found them to the summary as plain data.
    const objects = new MemoryObjects();
    await driveSweep(makeSweepTasks({ settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', switchParameter: SWITCH_PARAMETER, ledger: new Ledger(LEDGER_TABLE), now: () => NOW }, { bucket: 'b', objects }), objects, { bucket: 'b', runId: 'sweep-estate' });

    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'new-model' });
    const summary = snsMock
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.MessageAttributes?.kind.StringValue === 'sweep');
    expect(summary?.Message).toContain(`EXISTING ESTATE: 1 resource fails enforced controls but predates enforcement (it began ${SINCE}): reported to the owners, not acted on.`);
    expect(summary?.Message).toContain('"sweep": { "actOnExisting": true }');
    expect(summary?.Message).toContain('  - model old-model: not deleted: existing estate, reported (older than enforcement)');
    expect(summary?.Message).toContain('  - model new-model: deleted');
  });
});
