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
import { named, NOW, publishedNotice, resetMocks, sageMakerMock, snsMock, SWITCH_PARAMETER, TOPIC_ARN, validation } from '../handlers/harness';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:SageMakerGuard-Sweep';
const handler = makeSweepHandler({ settings: settings(), topicArn: TOPIC_ARN, region: 'us-east-1', switchParameter: SWITCH_PARAMETER, now: () => NOW });
const invoke = () => handler({ id: 'sweep-event-1' }, { invokedFunctionArn: FUNCTION_ARN, awsRequestId: 'req-1' });

beforeEach(() => {
  resetMocks();
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [] });
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
});

describe('scheduled sweep', () => {
  test('lists page by page, acts through the responder pipeline, and sends one summary notice', async () => {
    sageMakerMock
      .on(ListTrainingJobsCommand, { StatusEquals: 'InProgress', MaxResults: 100 })
      .resolvesOnce({ TrainingJobSummaries: [{ TrainingJobName: 'open-job' } as never, { TrainingJobName: 'good-job' } as never], NextToken: 'page-2' })
      .resolvesOnce({ TrainingJobSummaries: [{ TrainingJobName: 'throttled-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: 'open-job' }).resolves(trainingJob({ TrainingJobName: 'open-job', EnableNetworkIsolation: false }));
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
    });
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: 'open-job' });
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const notice = publishedNotice();
    expect(notice.subject).toBe('[sagemaker-guard] Sweep of 123456789012 us-east-1: 2 of 5 resources fail controls');
    expect(notice.attributes).toEqual({ kind: 'sweep', action: 'summary', severity: 'high', account: '123456789012', region: 'us-east-1' });
    expect(notice.message).toContain('2 fail security controls, 1 could not be checked');
    expect(notice.message).toContain('  - training job open-job (InProgress): stopped\n    failed: training-job.network-isolation');
    expect(notice.message).toContain('  - model open-model: deleted\n    failed: model.vpc');
    expect(notice.message).toContain('  training-job.network-isolation: 1');
    expect(notice.message).toContain('Sweep id: sweep-event-1');
  });

  test('nothing found: no notice', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'good-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob({ TrainingJobName: 'good-job' }));
    await expect(invoke()).resolves.toEqual({ checked: 1, withFindings: 0, failures: 0, byDecision: { compliant: 1 }, notified: false });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  test('a listing that is denied fails the run (the errors alarm reports it)', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:ListTrainingJobs'));
    await expect(invoke()).rejects.toThrow('sagemaker:ListTrainingJobs');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
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
