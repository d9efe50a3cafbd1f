import { PassThrough } from 'node:stream';
import {
  AddTagsCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListModelsCommand,
  ListNotebookInstancesCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import { audit, type AuditIO } from '../../cli/audit';
import { DEFAULT_CONCURRENCY, type AuditOptions } from '../../cli/args';
import { model, notebook, privateNetwork, settings, trainingJob } from '../fixtures/resources';
import { mockNetwork, named, NOW, resetMocks, sageMakerMock, snsMock, validation } from '../handlers/harness';

const OPTIONS: AuditOptions = { regions: [], kinds: ['training-job', 'model', 'notebook-instance'], concurrency: DEFAULT_CONCURRENCY, json: false, remediate: false, yes: false };
const DENIED_LIST = 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sagemaker:ListModels because no identity-based policy allows the sagemaker:ListModels action';
const DENIED_DESCRIBE = 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sagemaker:DescribeModel on resource: arn:aws:sagemaker:us-east-1:123456789012:model/secret';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly questions: string[];
}

async function run(options: Partial<AuditOptions> = {}, io: Partial<AuditIO> & { answer?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const questions: string[] = [];
  const code = await audit({ ...OPTIONS, ...options }, settings(), {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    interactive: false,
    confirm: (question) => {
      questions.push(question);
      return Promise.resolve(io.answer ?? false);
    },
    now: () => NOW,
    ...io,
  });
  return { code, stdout, stderr, questions };
}

function expectNothingChanged(): void {
  expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
  expect(sageMakerMock).not.toHaveReceivedCommand(StopTrainingJobCommand);
  expect(sageMakerMock).not.toHaveReceivedCommand(DeleteModelCommand);
  expect(sageMakerMock).not.toHaveReceivedCommand(AddTagsCommand);
  expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** An open notebook, a compliant and a VPC-less model, a compliant running job. */
function account(): void {
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'good-job' } as never] });
  sageMakerMock.on(DescribeTrainingJobCommand, { TrainingJobName: 'good-job' }).resolves(trainingJob({ TrainingJobName: 'good-job' }));
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'good-model' } as never, { ModelName: 'open-model' } as never] });
  sageMakerMock.on(DescribeModelCommand, { ModelName: 'good-model' }).resolves(model({ ModelName: 'good-model' }));
  sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: 'open-nb' } as never] });
  sageMakerMock.on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' }).resolves(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled' }).notebook);
  mockNetwork(privateNetwork());
}

beforeEach(() => {
  resetMocks();
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
  sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
  sageMakerMock.on(ListModelsCommand).resolves({ Models: [] });
  sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
});

describe('sagemaker-guard audit', () => {
  test('lists page by page, skips a vanished resource, lists a throttled one, and exits 1 on violations without changing anything', async () => {
    sageMakerMock
      .on(ListModelsCommand, { MaxResults: 100 })
      .resolvesOnce({ Models: [{ ModelName: 'open-model' } as never, { ModelName: 'vanished' } as never], NextToken: 'page-2' })
      .resolvesOnce({ Models: [{ ModelName: 'busy-model' } as never, { ModelName: 'good-model' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined }));
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'vanished' }).rejects(validation('Could not find model "vanished".'));
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'busy-model' }).rejects(named('ThrottlingException', 'Rate exceeded'));
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'good-model' }).resolves(model({ ModelName: 'good-model' }));

    const { code, stdout, stderr } = await run({ regions: ['us-east-1'] });

    expect(code).toBe(1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(ListModelsCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandWith(ListTrainingJobsCommand, { StatusEquals: 'InProgress' });
    expectNothingChanged();
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^kind\s+name\s+status\s+decision\s+failed controls$/);
    expect(stdout).toMatch(/^model\s+open-model\s+-\s+would delete\s+model\.vpc$/m);
    expect(stdout).toMatch(/^model\s+busy-model\s+-\s+error \(throttled\)\s+ThrottlingException: Rate exceeded$/m);
    expect(stdout).toMatch(/^model\s+good-model\s+-\s+compliant$/m);
    expect(stdout).not.toContain('vanished');
    expect(stdout).toContain(
      '\n2 resources checked in 1 region: 1 with violations (1 enforce, 0 report), 0 exempt; by control: model.vpc=1; ' +
        '1 gone before they could be described (skipped); 1 could not be checked\n',
    );
    expect(stderr).toBe('1 resource(s) could not be checked; see the error rows.\n');
  });

  test('--json: one object per resource, then the summary; nothing else on stdout', async () => {
    account();
    const { code, stdout } = await run({ regions: ['us-east-1'], json: true });
    expect(code).toBe(1);
    const objects = ndjson(stdout);
    expect(objects.map((object) => [object.type, object.kind, object.name, object.action])).toEqual([
      ['resource', 'training-job', 'good-job', 'none'],
      ['resource', 'model', 'good-model', 'none'],
      ['resource', 'model', 'open-model', 'would-delete'],
      ['resource', 'notebook-instance', 'open-nb', 'would-stop'],
      ['summary', undefined, undefined, undefined],
    ]);
    expect(objects[3]).toMatchObject({ region: 'us-east-1', status: 'InService', decision: 'remediate', failed: [{ control: 'notebook-instance.direct-internet-access', mode: 'enforce' }] });
    expect(objects[4]).toMatchObject({ type: 'summary', checked: 4, withViolations: 2, enforce: 2, byControl: { 'model.vpc': 1, 'notebook-instance.direct-internet-access': 1 }, exitCode: 1 });
    expectNothingChanged();
  });

  test('exits 0 when everything is compliant', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'good-model' } as never] });
    sageMakerMock.on(DescribeModelCommand).resolves(model({ ModelName: 'good-model' }));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'] });
    expect(code).toBe(0);
    expect(stdout).toContain('1 resource checked in 1 region: 0 with violations (0 enforce, 0 report), 0 exempt; by control: none');
    expect(stderr).toBe('');
  });

  test('a denied listing exits 2 naming the call and the permission; the other kinds are still checked', async () => {
    account();
    sageMakerMock.on(ListModelsCommand).rejects(named('AccessDeniedException', DENIED_LIST));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'] });
    expect(code).toBe(2);
    expect(stderr).toBe(`sagemaker:ListModels was denied (AccessDeniedException) in us-east-1; no model there was checked: ${DENIED_LIST}\n`);
    expect(stdout).toMatch(/^notebook-instance\s+open-nb/m);
    expect(stdout).toContain('; 1 listing failed');
    expectNothingChanged();
  });

  test('a denied Describe exits 2, said once per permission with the resource and how many more', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'secret' } as never, { ModelName: 'secret-2' } as never] });
    sageMakerMock.on(DescribeModelCommand).rejects(named('AccessDeniedException', DENIED_DESCRIBE));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'], json: true });
    expect(code).toBe(2);
    expect(stderr).toBe(`sagemaker:DescribeModel was denied (AccessDeniedException) for model secret and 1 more in us-east-1: ${DENIED_DESCRIBE}\n`);
    expect(ndjson(stdout)[0]).toMatchObject({ type: 'error', name: 'secret', deniedAction: 'sagemaker:DescribeModel', error: { class: 'access-denied' } });
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', failed: 2, accessDenied: 2, exitCode: 2 });
  });

  test('a listing that fails for another reason (no credentials) stops the run with exit 2', async () => {
    sageMakerMock.on(ListTrainingJobsCommand).rejects(named('CredentialsProviderError', 'Could not load credentials from any providers'));
    const { code, stderr } = await run({ regions: ['us-east-1'] });
    expect(code).toBe(2);
    expect(stderr).toBe('Could not list training jobs in us-east-1 (sagemaker:ListTrainingJobs): CredentialsProviderError: Could not load credentials from any providers\n');
    expect(sageMakerMock).not.toHaveReceivedCommand(ListModelsCommand);
  });

  test('--since lists training jobs created since then, in any status; notebooks not InService are reported, not acted on', async () => {
    const since = new Date('2026-01-01T00:00:00Z');
    sageMakerMock.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'old-job' } as never] });
    sageMakerMock.on(DescribeTrainingJobCommand).resolves(trainingJob({ TrainingJobName: 'old-job', TrainingJobStatus: 'Completed', EnableNetworkIsolation: false }));
    sageMakerMock.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [{ NotebookInstanceName: 'parked' } as never] });
    sageMakerMock.on(DescribeNotebookInstanceCommand).resolves(notebook({ NotebookInstanceName: 'parked', NotebookInstanceStatus: 'Stopped', DirectInternetAccess: 'Enabled' }).notebook);
    mockNetwork(privateNetwork());
    const { code, stdout } = await run({ regions: ['us-east-1'], since, remediate: true, yes: true });
    expect(code).toBe(1);
    expect(sageMakerMock).toHaveReceivedCommandWith(ListTrainingJobsCommand, { CreationTimeAfter: since });
    expect(stdout).toMatch(/^training-job\s+old-job\s+Completed\s+no action \(Completed\)\s+training-job\.network-isolation$/m);
    expect(stdout).toMatch(/^notebook-instance\s+parked\s+Stopped\s+no action \(Stopped\)/m);
    expectNothingChanged();
  });

  test('--remediate without --yes where nobody can answer refuses with exit 2, before any call', async () => {
    account();
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'], remediate: true });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--remediate stops and deletes resources, so it asks first, and nobody can answer here (not a terminal). Add --yes');
    expect(sageMakerMock.calls()).toHaveLength(0);
  });

  test('--remediate --yes acts as the responder does, without notices or a pending-notice tag', async () => {
    account();
    const { code, stdout } = await run({ regions: ['us-east-1'], remediate: true, yes: true });
    expect(code).toBe(1);
    expect(sageMakerMock).toHaveReceivedCommandWith(StopNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' });
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    const tags = sageMakerMock.commandCalls(AddTagsCommand).flatMap((call) => call.args[0].input.Tags ?? []);
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'sagemaker-guard:violations', Value: 'notebook-instance.direct-internet-access' }]));
    expect(tags.map((tag) => tag.Key)).not.toContain('sagemaker-guard:notice');
    expect(tags.find((tag) => tag.Key === 'sagemaker-guard:event-id')?.Value).toBe('audit-2026-11-22T12:00:00.000Z');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(stdout).toMatch(/^notebook-instance\s+open-nb\s+InService\s+stopped/m);
    expect(stdout).toMatch(/^model\s+open-model\s+-\s+deleted/m);
    expect(stdout).toContain('; remediated: 1 stopped, 1 deleted');
  });

  test('--remediate in a terminal audits, asks, and changes nothing when the answer is no', async () => {
    account();
    const { code, stdout, stderr, questions } = await run({ regions: ['us-east-1'], remediate: true }, { interactive: true, answer: false });
    expect(questions).toEqual(['Delete 1 model and stop 1 notebook instance in us-east-1, as the responder would (no notices are sent)? [y/N] ']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/would delete/);
    expect(stderr).toBe('Nothing was changed.\n');
    expectNothingChanged();
  });

  test('--remediate in a terminal acts after a yes', async () => {
    account();
    const { code, stdout, questions } = await run({ regions: ['us-east-1'], remediate: true }, { interactive: true, answer: true });
    expect(questions).toHaveLength(1);
    expect(code).toBe(1);
    // The audit first, then what was done.
    expect(stdout).toMatch(/would delete[\s\S]*\n\n4 resources checked in 1 region[^\n]*model\.vpc=1, notebook-instance\.direct-internet-access=1\n[\s\S]* deleted [\s\S]*; remediated: 1 stopped, 1 deleted\n$/);
    expect(sageMakerMock).toHaveReceivedCommandTimes(StopNotebookInstanceCommand, 1);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
  });

  test('--remediate in a terminal with nothing to act on does not ask', async () => {
    const { code, questions, stderr } = await run({ regions: ['us-east-1'], remediate: true }, { interactive: true, answer: true });
    expect(code).toBe(0);
    expect(questions).toEqual([]);
    expect(stderr).toContain('Nothing to remediate');
  });

  test('several regions: one sweep per region, each with clients of its region, and a region column', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'good-model' } as never] });
    sageMakerMock.on(DescribeModelCommand).resolves(model({ ModelName: 'good-model' }));
    const { code, stdout } = await run({ regions: ['us-east-1', 'eu-west-1'], kinds: ['model'] });
    expect(code).toBe(0);
    const regions = await Promise.all(sageMakerMock.commandCalls(ListModelsCommand).map((call) => (call.thisValue as SageMakerClient).config.region()));
    expect(regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(stdout).toMatch(/^region\s+kind\s+name/);
    expect(stdout).toMatch(/^us-east-1\s+model\s+good-model/m);
    expect(stdout).toMatch(/^eu-west-1\s+model\s+good-model/m);
    expect(stdout).toContain('2 resources checked in 2 regions');
  });

  test('the clients retry adaptively when AWS_RETRY_MODE=adaptive was set before they were loaded', async () => {
    const previous = process.env.AWS_RETRY_MODE;
    process.env.AWS_RETRY_MODE = 'adaptive';
    try {
      await jest.isolateModulesAsync(async () => {
        const clients = await import('../../lambda/aws/clients');
        expect(clients.RETRY).toEqual({ maxAttempts: 10, retryMode: 'adaptive' });
        const { sageMaker } = clients.useRegion('eu-west-1');
        await expect(sageMaker.config.region()).resolves.toBe('eu-west-1');
        expect(((await sageMaker.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
        sageMaker.destroy();
      });
    } finally {
      if (previous === undefined) delete process.env.AWS_RETRY_MODE;
      else process.env.AWS_RETRY_MODE = previous;
    }
  });

  test('the progress bar goes to the progress stream only, and the table and summary to stdout', async () => {
    account();
    const progress = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    progress.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const { stdout } = await run({ regions: ['us-east-1'] }, { progress });
    expect(drawn).toContain('auditing');
    expect(drawn).toMatch(/3\/3 \| us-east-1 notebook instances \| 4 checked, 2 with violations/);
    expect(stdout).not.toContain('auditing');
  });
});
