/**
 * Security review of the ledger change (issue 8, "trust"): attacks by a guarded user and by bad luck.
 * `test.failing` = a proven bug (the test states the behaviour the change promises and fails today);
 * `test` = an attack the code resists.
 */
import {
  AddTagsCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Ledger } from '../../lambda/aws/ledger';
import { clearSwitchCache } from '../../lambda/aws/switch';
import { EXEMPT_TAG } from '../../lambda/core/modes';
import { makeResendHandler } from '../../lambda/handlers/resend';
import { makeSwitchWatchHandler } from '../../lambda/handlers/switch-watch';
import { model, notebook, privateNetwork, settings, trainingJob, type NotebookOverrides } from '../fixtures/resources';
import {
  ddbMock,
  event,
  handlerFor,
  LEDGER_TABLE,
  mockNetwork,
  named,
  NOW,
  owedNotices,
  publishedNotice,
  remediationRecords,
  resetMocks,
  sageMakerMock,
  setSwitch,
  snsMock,
  ssmMock,
  SWITCH_PARAMETER,
  table,
  TOPIC_ARN,
} from './harness';

const JOB = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const JOB_ARN = `arn:aws:sagemaker:us-east-1:123456789012:training-job/${JOB}`;
const inProgress = event('variants/training-job.in-progress.json');
const badJob = (status: string, extra: Parameters<typeof trainingJob>[0] = {}) =>
  trainingJob({ TrainingJobName: JOB, TrainingJobArn: JOB_ARN, TrainingJobStatus: status as never, EnableNetworkIsolation: false, ...extra });

function describeJob(job: ReturnType<typeof trainingJob>, tags: Record<string, string> = {}): void {
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(job);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

const NB = 'BasicNotebookInstance-x4CC6ZFJzqJJ';
const inService = event('variants/notebook-instance.inservice.json');
const T1 = new Date('2026-11-22T10:00:00Z');
const T2 = new Date('2026-11-22T11:30:00Z');

function describeNotebook(overrides: NotebookOverrides, tags: Record<string, string> = {}): void {
  sageMakerMock
    .on(DescribeNotebookInstanceCommand)
    .resolves(notebook({ NotebookInstanceName: NB, LastModifiedTime: T1, CreationTime: T1, ...overrides }, null).notebook);
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

const MODEL = 'ChurnModel-v2';
const created = event('variants/model.created.json');

const DAY = 24 * 3600 * 1000;
const at = (ms: number) => () => new Date(ms);

/** Simulates DynamoDB TTL: items whose expiresAt (epoch seconds) is in the past are removed. */
function runTtl(now: Date): void {
  for (const [key, item] of table.items) {
    if (typeof item.expiresAt === 'number' && item.expiresAt * 1000 < now.getTime()) table.items.delete(key);
  }
}

beforeEach(() => {
  resetMocks();
  mockNetwork(privateNetwork());
});

describe('proven bugs', () => {
  test('fixed (review): the backout switch does not stop a retried remediation: a Stop that failed once is re-done in report mode', async () => {
    describeJob(badJob('InProgress'));
    const handler = handlerFor('training-job');
    // The Stop is throttled past the SDK's retries: the invocation fails, the record is left "in doubt".
    sageMakerMock.on(StopTrainingJobCommand).rejectsOnce(named('ThrottlingException', 'Rate exceeded')).resolves({});
    await expect(handler(inProgress)).rejects.toThrow('Rate exceeded');
    // The operators pull the backout switch (an incident: stop all enforcement) before Lambda retries.
    setSwitch('report');
    clearSwitchCache();
    const retry = await handler(inProgress);
    // The switch says report: nothing may be stopped.
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(retry.decision).not.toBe('resume');
  });

  test('fixed (review): an in-doubt record from an earlier episode makes the guard stop a notebook that is now compliant', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled', LastModifiedTime: T1 });
    // The Stop goes through; recording its result fails, and keeps failing through Lambda's retries (a DynamoDB outage).
    table.failOn('UpdateCommand', named('InternalServerError', 'DynamoDB down'), 1);
    await expect(handlerFor('notebook-instance')(inService)).rejects.toThrow('DynamoDB down');
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
    // The owner fixes the notebook (recreated settings) and starts it: a new episode, compliant.
    describeNotebook({ DirectInternetAccess: 'Disabled', LastModifiedTime: T2 });
    // Minutes later (the lease of the failed invocation has run out).
    const result = await handlerFor('notebook-instance', {}, { now: at(NOW.getTime() + 10 * 60_000) })({ ...inService, id: 'restarted-compliant' });
    // A compliant notebook must never be stopped.
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
    expect(result.decision).toBe('compliant');
  });

  test('fixed (review): a Stop that was throttled (never happened) is later told as "Stopped ... by an earlier attempt" of a job that Completed', async () => {
    describeJob(badJob('InProgress'));
    const handler = handlerFor('training-job');
    sageMakerMock.on(StopTrainingJobCommand).rejects(Object.assign(named('ThrottlingException', 'Rate exceeded'), { $fault: 'client' }));
    await expect(handler(inProgress)).rejects.toThrow('Rate exceeded');
    // The job finished on its own before Lambda's retry, a minute later.
    describeJob(badJob('Completed'));
    await handlerFor('training-job', {}, { now: at(NOW.getTime() + 61_000) })(inProgress);
    const notice = publishedNotice();
    // It was not stopped: Completed is what a job that ran to its end says.
    expect(notice.attributes.action).not.toBe('stopped');
    expect(notice.message).not.toMatch(/Stopped the training job/);
  });

  test('fixed (review): a model the owner deleted after the guard\'s DeleteModel was throttled is told as "Deleted" by the guard', async () => {
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL }).resolves(model({ VpcConfig: undefined }));
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    sageMakerMock.on(DeleteModelCommand).rejects(Object.assign(named('ThrottlingException', 'Rate exceeded'), { $fault: 'client' }));
    const handler = handlerFor('model');
    await expect(handler(created)).rejects.toThrow('Rate exceeded');
    // The owner deletes it; Lambda's retry, a minute later, finds it gone.
    sageMakerMock.on(DescribeModelCommand).rejects(named('ValidationException', 'Could not find model'));
    await handlerFor('model', {}, { now: at(NOW.getTime() + 61_000) })(created);
    const notice = publishedNotice();
    expect(notice.attributes.action).not.toBe('deleted');
    expect(notice.message).not.toMatch(/called by an earlier attempt of the guard/);
  });

  test('fixed (review): the "Stopped" notice says "Status now: InProgress" (the status before the stop)', async () => {
    describeJob(badJob('InProgress'));
    await handlerFor('training-job')(inProgress);
    const notice = publishedNotice();
    expect(notice.attributes.action).toBe('stopped');
    expect(notice.message).not.toContain('Status now: InProgress');
  });

  test('fixed (review): the same event delivered twice (EventBridge/Lambda at-least-once, same id) while the first copy works: two Stops and two notices', async () => {
    describeJob(badJob('InProgress'));
    const handler = handlerFor('training-job');
    let started = false;
    let copy: unknown;
    sageMakerMock.on(StopTrainingJobCommand).callsFake(async () => {
      if (!started) {
        started = true;
        // A second delivery of the very same event (same id) runs while the first is inside StopTrainingJob.
        copy = await handler(inProgress);
      }
      return {};
    });
    await handler(inProgress);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopTrainingJobCommand, 1);
    expect(copy).toMatchObject({ decision: 'busy' });
  });

  test('fixed (review): the same owed notice resent by two deliveries of one event (same id): sent twice', async () => {
    describeJob(badJob('InProgress'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'm' });
    const handler = handlerFor('training-job');
    await expect(handler(inProgress)).rejects.toThrow('SNS down');
    describeJob(badJob('Stopping'));
    // Lambda's retry and a duplicate delivery of the event (same id) run at once.
    await Promise.all([handler(inProgress), handler(inProgress)]);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2); // the failed one + exactly one resend
  });

  test('fixed (review): the switch watcher sends two "switch changed" notices for one change delivered twice (same event id)', async () => {
    setSwitch('report');
    const runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', switchParameter: SWITCH_PARAMETER, ledger: new Ledger(LEDGER_TABLE), now: () => NOW };
    const change = { id: 'evt-1', source: 'aws.ssm', 'detail-type': 'Parameter Store Change', account: '123456789012', region: 'us-east-1', time: '2026-11-22T12:00:00Z', detail: { name: SWITCH_PARAMETER, operation: 'Update' } };
    const handler = makeSwitchWatchHandler(runtime);
    await Promise.all([handler(change), handler(change)]);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('fixed (review): deliverOnce does not re-check the notice after taking the lease: an exemption notice is sent twice (two events, different ids)', async () => {
    const exemptTags = { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'vendor image', [EXEMPT_TAG.until]: '2026-12-31' };
    describeJob(badJob('InProgress'), exemptTags);
    const policy = { tagExemptions: { controls: 'all' as const } };
    const handler = handlerFor('training-job', policy);
    // B's read of the exemption notice record happens while A publishes; B's lease is taken after A marked it sent.
    let bAtGet!: () => void;
    const bReachedGet = new Promise<void>((resolve) => { bAtGet = resolve; });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    ddbMock.on(GetCommand).callsFake(async (input: { Key: Record<string, unknown> }) => {
      const result = table.get(input);
      if (String(input.Key.sk).startsWith('exemption-notice#')) {
        bAtGet();
        await gate;
      }
      return result;
    });
    let b: Promise<unknown> | undefined;
    snsMock.on(PublishCommand).callsFake(async () => {
      if (b === undefined) {
        b = handler({ ...inProgress, id: 'event-b' });
        await bReachedGet;
      }
      return { MessageId: 'm' };
    });
    await handler({ ...inProgress, id: 'event-a' });
    openGate();
    await b;
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('fixed (review): DynamoDB TTL removes the tag-exemption sighting after 400 days: the 90-day cap starts again', async () => {
    // Fails only root access (medium), which a tag may exempt by default.
    const tags = { [EXEMPT_TAG.controls]: 'notebook-instance.root-access', [EXEMPT_TAG.reason]: 'lab', [EXEMPT_TAG.until]: '2028-12-31' };
    describeNotebook({ RootAccess: 'Enabled' }, tags);
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'exempt' });
    // 100 days on: the cap holds, it is stopped (as it should be).
    const day100 = NOW.getTime() + 100 * DAY;
    await expect(handlerFor('notebook-instance', {}, { now: at(day100) })({ ...inService, id: 'd100' })).resolves.toMatchObject({ decision: 'remediate' });
    // The owner restarts it and keeps the tag; 401 days after the first sighting DynamoDB's TTL removed the sighting.
    const day401 = new Date(NOW.getTime() + 401 * DAY);
    runTtl(day401);
    describeNotebook({ RootAccess: 'Enabled', LastModifiedTime: new Date(day401.getTime() - 60_000) }, tags);
    const result = await handlerFor('notebook-instance', {}, { now: () => day401 })({ ...inService, id: 'd401' });
    // "at most maxDays from the first sighting": the exemption must not hold again.
    expect(result.decision).toBe('remediate');
  });

  test('fixed (review): a crash before the Stop was called, then the owner stopped it: the notice says the guard called StopNotebookInstance', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled' });
    // The claim is written, then counting the attempt fails: StopNotebookInstance is never called.
    table.failOn('UpdateCommand', named('InternalServerError', 'DynamoDB hiccup'));
    await expect(handlerFor('notebook-instance')(inService)).rejects.toThrow('DynamoDB hiccup');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    describeNotebook({ DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Stopped' });
    await handlerFor('notebook-instance', {}, { now: at(NOW.getTime() + 61_000) })(inService);
    expect(publishedNotice().message).not.toContain('when StopNotebookInstance was called');
    expect(publishedNotice().message).toContain('before the guard could call StopNotebookInstance');
  });

  test('fixed (review): the exemption notice says "Until: <day>" but the maxDays cap ends at the time of day of the first sighting', async () => {
    const tags = { [EXEMPT_TAG.controls]: 'training-job.network-isolation', [EXEMPT_TAG.reason]: 'vendor', [EXEMPT_TAG.until]: '2027-12-31' };
    describeJob(badJob('InProgress'), tags);
    const policy = { tagExemptions: { controls: 'all' as const, maxDays: 10 } };
    await expect(handlerFor('training-job', policy)(inProgress)).resolves.toMatchObject({ decision: 'exempt' });
    const until = /Until: {4}(\d{4}-\d{2}-\d{2})/.exec(publishedNotice().message)?.[1];
    expect(until).toBe('2026-12-02');
    // Later on the day the operators were told it holds through: the exemption is already ignored.
    const laterThatDay = new Date('2026-12-02T18:00:00Z');
    const result = await handlerFor('training-job', policy, { now: () => laterThatDay })({ ...inProgress, id: 'later' });
    expect(result.decision).toBe('exempt');
  });
  test('fixed (review): a model deleted by the guard whose result was never recorded (retries exhausted -> DLQ) is told: the outbox holds records in doubt', async () => {
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL }).resolves(model({ VpcConfig: undefined }));
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    // DeleteModel went through; the ledger write of its result failed on every attempt (a regional DynamoDB incident).
    table.failOn('UpdateCommand', named('InternalServerError', 'DynamoDB down'), 1);
    await expect(handlerFor('model')(created)).rejects.toThrow('DynamoDB down');
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    // The model is gone, so no sweep lists it; the resend function runs every 10 minutes.
    const runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', ledger: new Ledger(LEDGER_TABLE), now: () => new Date(NOW.getTime() + 3600_000) };
    // Inside Lambda's retry window the record is left to the retries.
    await makeResendHandler({ ...runtime, now: () => new Date(NOW.getTime() + 5 * 60_000) })({}, { awsRequestId: 'r0' });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    await makeResendHandler(runtime)({}, { awsRequestId: 'r1' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishedNotice().subject).toBe(`[sagemaker-guard] Outcome unknown: delete model ${MODEL}`);
    expect(publishedNotice().attributes.action).toBe('unknown');
    expect(publishedNotice().message).toContain('DeleteModel was called 1 time');
    // Told once; the record stays in doubt for the next event or sweep to finish.
    await makeResendHandler(runtime)({}, { awsRequestId: 'r2' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('attacks the change resists', () => {
  test('guard-looking tags written by the owner change nothing: still stopped and told', async () => {
    describeJob(badJob('InProgress'), { 'sagemaker-guard:action': 'stop', 'sagemaker-guard:violations': 'none', 'sagemaker-guard:event-id': inProgress.id, 'sagemaker-guard:notice': 'sent' });
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', notified: true });
  });

  test('a tag exemption cannot exempt a critical control, even with "all"', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled' }, { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'remediate' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
  });

  test('removing and re-adding the exemption tag does not restart the 90-day clock', async () => {
    const tags = { [EXEMPT_TAG.controls]: 'notebook-instance.root-access', [EXEMPT_TAG.reason]: 'lab', [EXEMPT_TAG.until]: '2027-12-31' };
    describeNotebook({ RootAccess: 'Enabled' }, tags);
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'exempt' });
    describeNotebook({ RootAccess: 'Enabled' }, {});
    await handlerFor('notebook-instance', {}, { now: at(NOW.getTime() + 50 * DAY) })({ ...inService, id: 'untagged' });
    describeNotebook({ RootAccess: 'Enabled', LastModifiedTime: T2 }, tags);
    await expect(handlerFor('notebook-instance', {}, { now: at(NOW.getTime() + 91 * DAY) })({ ...inService, id: 'retagged' })).resolves.toMatchObject({ decision: 'remediate' });
  });

  test('an exemption tag naming one unknown control is ignored as a whole', async () => {
    describeJob(badJob('InProgress'), { [EXEMPT_TAG.controls]: 'training-job.network-isolation bogus', [EXEMPT_TAG.reason]: 'r', [EXEMPT_TAG.until]: '2026-12-31' });
    await expect(handlerFor('training-job', { tagExemptions: { controls: 'all' } })(inProgress)).resolves.toMatchObject({ decision: 'remediate' });
  });

  test.each<[string, () => void]>([
    ['deleted', () => ssmMock.on(GetParameterCommand).rejects(named('ParameterNotFound', 'gone'))],
    ['unreadable', () => ssmMock.on(GetParameterCommand).rejects(named('AccessDeniedException', 'denied'))],
    ['"REPORT" in capitals', () => { setSwitch('REPORT'); }],
    ['"off"', () => { setSwitch('off'); }],
  ])('a switch %s fails safe to policy, and the operators hear about it once an hour', async (_title, arrange) => {
    arrange();
    clearSwitchCache();
    describeJob(badJob('InProgress'));
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate' });
    clearSwitchCache();
    await handlerFor('training-job')({ ...inProgress, id: 'second' });
    const subjects = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input.Subject ?? '');
    expect(subjects.filter((subject) => subject.includes('Enforcement switch unreadable'))).toHaveLength(1);
  });

  test('an SNS outage during the switch-problem notice does not stop enforcement', async () => {
    ssmMock.on(GetParameterCommand).rejects(named('ParameterNotFound', 'gone'));
    clearSwitchCache();
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'm' });
    describeJob(badJob('InProgress'));
    await expect(handlerFor('training-job')(inProgress)).resolves.toMatchObject({ decision: 'remediate', notified: true });
    expect(owedNotices()).toHaveLength(1); // the switch notice, for the outbox
  });

  test('the same resource named with another case is the same ledger entry: no second stop or notice', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled' });
    await handlerFor('notebook-instance')(inService);
    const upper = { ...inService, id: 'upper', detail: { ...(inService.detail as object), NotebookInstanceName: NB.toUpperCase() } };
    await expect(handlerFor('notebook-instance')(upper)).resolves.toMatchObject({ decision: 'duplicate' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('a late copy of the first episode\'s event after a restart acts once for the current episode, then is a duplicate', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled', LastModifiedTime: T1 });
    await handlerFor('notebook-instance')(inService);
    describeNotebook({ DirectInternetAccess: 'Enabled', LastModifiedTime: T2 });
    await handlerFor('notebook-instance')({ ...inService, id: 'restart' });
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ decision: 'duplicate' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 2);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  test('the owner stops the notebook between the guard\'s Describe and Stop: an honest "could not stop", once', async () => {
    describeNotebook({ DirectInternetAccess: 'Enabled' });
    sageMakerMock.on(StopNotebookInstanceCommand).rejects(named('ValidationException', 'Status (Stopping) not in ([InService]). Unable to transition to (Stopping)'));
    await expect(handlerFor('notebook-instance')(inService)).resolves.toMatchObject({ actionResult: { type: 'wrong-state', status: 'Stopping' } });
    await expect(handlerFor('notebook-instance')({ ...inService, id: 'copy' })).resolves.toMatchObject({ notified: false });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  test('a report-mode notice that fails to publish is sent by the resend function exactly once', async () => {
    describeJob(badJob('InProgress'));
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'm' });
    await expect(handlerFor('training-job', { mode: 'report' })(inProgress)).rejects.toThrow('SNS down');
    const runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', ledger: new Ledger(LEDGER_TABLE), now: () => new Date(NOW.getTime() + 600_000) };
    await expect(makeResendHandler(runtime)({}, { awsRequestId: 'r1' })).resolves.toMatchObject({ sent: 1 });
    await expect(makeResendHandler(runtime)({}, { awsRequestId: 'r2' })).resolves.toMatchObject({ sent: 0 });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
  });

  test('the ledger throttled at the claim: nothing is stopped or told blindly', async () => {
    describeJob(badJob('InProgress'));
    table.failOn('PutCommand', named('ProvisionedThroughputExceededException', 'slow down'));
    await expect(handlerFor('training-job')(inProgress)).rejects.toThrow('slow down');
    expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('an exemption reason with separators and bidi controls cannot forge lines in the exemption notice', async () => {
    describeJob(badJob('InProgress'), { [EXEMPT_TAG.controls]: 'all', [EXEMPT_TAG.reason]: 'ok\u2028\u2028WHAT THE GUARD DOES\u2029nothing\u202e', [EXEMPT_TAG.until]: '2026-12-31' });
    await handlerFor('training-job', { tagExemptions: { controls: 'all' } })(inProgress);
    const message = publishedNotice().message;
    expect(message).not.toMatch(/[\u2028\u2029\u202e]/);
    expect(message.split('\n').some((line) => line.startsWith('WHAT THE GUARD DOES'))).toBe(false);
  });

  test('a model re-created under the same name (new CreationTime) is deleted and told again', async () => {
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL }).resolves(model({ VpcConfig: undefined }));
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    await handlerFor('model')(created);
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL }).resolves(model({ VpcConfig: undefined, CreationTime: new Date('2026-11-22T11:00:00Z') }));
    await expect(handlerFor('model')({ ...created, id: 'recreated' })).resolves.toMatchObject({ decision: 'remediate', notified: true });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 2);
    expect(remediationRecords()).toHaveLength(2);
  });
});
