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
import { makeSweepHandler } from '../../lambda/handlers/sweep';
import { model, settings, trainingJob } from '../fixtures/resources';
import { Ledger } from '../../lambda/aws/ledger';
import { attribute, LEDGER_TABLE, named, NOW, publishedNotice, resetMocks, sageMakerMock, snsMock, SWITCH_PARAMETER, table, TOPIC_ARN, validation } from '../handlers/harness';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:SageMakerGuard-Sweep';
const runtime = { settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', account: '123456789012', switchParameter: SWITCH_PARAMETER, ledger: new Ledger(LEDGER_TABLE), now: () => NOW };
const handler = makeSweepHandler(runtime);
const invoke = (remaining = 600_000) => handler({ id: 'sweep-event-1' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-1', getRemainingTimeInMillis: () => remaining });

/** The notices published, by their `kind` attribute. */
function noticesOfKind(kind: string) {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input).filter((input) => attribute(input, 'kind') === kind);
}

beforeEach(() => {
  resetMocks();
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [] });
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
});

describe('scheduled sweep', () => {
  test('lists page by page, acts through the responder pipeline, tells each owner, and sends one summary', async () => {
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

    const result = await invoke();

    expect(result).toEqual({
      checked: 5,
      withFindings: 2,
      failures: 1,
      byDecision: { remediate: 2, compliant: 1, error: 1, gone: 1 },
      notified: true,
      incomplete: false,
      outbox: { sent: 0, failed: 0, busy: 0 },
    });
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
    expect(notice.message).toContain('Sweep id: sweep-event-1');
    expect(notice.message).toContain('NOTICES: 2 per-resource notices sent');
    expect(notice.message).toContain('EXEMPTIONS HONOURED: 0');
  });

  test('a second run finds the remediations in the ledger: no second stop, no second notice', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    sageMakerMock.on(DeleteModelCommand).rejects(named('AccessDeniedException', 'explicit deny in a service control policy'));
    await invoke();
    expect(noticesOfKind('model')).toHaveLength(1);
    await handler({ id: 'sweep-event-2' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-2', getRemainingTimeInMillis: () => 600_000 });
    expect(noticesOfKind('model')).toHaveLength(1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 2);
  });

  test('honoured exemptions are counted and listed in the summary, and each reaches the operators once', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'legacy-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'legacy-model' }).resolves(model({ ModelName: 'legacy-model', VpcConfig: undefined }));
    const exempting = makeSweepHandler({ ...runtime, settings: settings({ exemptions: [{ namePrefix: 'legacy-', kinds: ['model'], controls: 'all', reason: 'migration ticket SEC-42', expires: '2027-01-31' }] }) });
    const result = await exempting({ id: 'sweep-event-3' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-3', getRemainingTimeInMillis: () => 600_000 });
    expect(result.byDecision).toEqual({ exempt: 1 });
    expect(noticesOfKind('model').map((input) => attribute(input, 'action'))).toEqual(['exempted']);
    const summary = noticesOfKind('sweep')[0];
    expect(summary.Message).toContain('EXEMPTIONS HONOURED: 1');
    expect(summary.Message).toContain('  - model legacy-model: model.vpc [policy prefix, until 2027-01-31: migration ticket SEC-42]');
  });

  test('a run whose time runs out stops listing and still reports what it did, marked incomplete', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    let remaining = 600_000;
    sageMakerMock.on(DeleteModelCommand).callsFake(() => {
      remaining = 30_000;
      return {};
    });
    sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: 'never-reached' } as never] });
    const result = await handler({ id: 'sweep-event-4' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-4', getRemainingTimeInMillis: () => remaining });
    expect(result).toMatchObject({ checked: 1, incomplete: true, notified: true });
    const summary = noticesOfKind('sweep')[0];
    expect(summary.Subject).toContain('(incomplete)');
    expect(summary.Message).toContain("INCOMPLETE: the function's time ran out after 1 resources");
    expect(summary.Message).toContain('  - model open-model: deleted');
  });

  test('the sweep first sends the notices the ledger still owes (an SNS outage that outlasted the responder)', async () => {
    snsMock.on(PublishCommand).rejectsOnce(named('InternalErrorException', 'SNS down')).resolves({ MessageId: 'later' });
    sageMakerMock.on(ListModelsCommand).resolvesOnce({ Models: [{ ModelName: 'open-model' } as never] }).resolves({ Models: [] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    await invoke();
    expect(table.all().filter((item) => item.notice === 'pending')).toHaveLength(1);
    const later = makeSweepHandler({ ...runtime, now: () => new Date(NOW.getTime() + 10 * 60_000) });
    const result = await later({ id: 'sweep-event-5' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-5', getRemainingTimeInMillis: () => 600_000 });
    expect(result.outbox).toEqual({ sent: 1, failed: 0, busy: 0 });
    expect(noticesOfKind('model').filter((input) => input.Subject?.startsWith('[sagemaker-guard] Deleted model open-model'))).toHaveLength(2);
    expect(table.all().filter((item) => item.notice === 'pending')).toHaveLength(0);
  });

  test('nothing found: no notice', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'good-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob({ TrainingJobName: 'good-job' }));
    await expect(invoke()).resolves.toEqual({ checked: 1, withFindings: 0, failures: 0, byDecision: { compliant: 1 }, notified: false, incomplete: false, outbox: { sent: 0, failed: 0, busy: 0 } });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a listing that is denied fails the run (the errors alarm reports it), after a summary saying so', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:ListTrainingJobs'));
    await expect(invoke()).rejects.toThrow('sagemaker:ListTrainingJobs');
    expect(noticesOfKind('sweep')[0].Message).toContain('INCOMPLETE: a listing failed (AccessDeniedException');
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
