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
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { audit, type AuditIO } from '../../cli/audit';
import { DEFAULT_CONCURRENCY, type AuditOptions } from '../../cli/args';
import { model, notebook, privateNetwork, settings, trainingJob } from '../fixtures/resources';
import { mockNetwork, named, NOW, resetMocks, sageMakerMock, setSwitch, snsMock, ssmMock, SWITCH_PARAMETER, validation } from '../handlers/harness';

const OPTIONS: AuditOptions = { regions: [], kinds: ['training-job', 'model', 'notebook-instance'], concurrency: DEFAULT_CONCURRENCY, format: 'table', remediate: false, yes: false, stack: 'SageMakerGuard' };
const DENIED_LIST = 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: sagemaker:ListModels because no identity-based policy allows the sagemaker:ListModels action';
/** The notebook fixture's ARN (every notebook of these tests has it, whatever its name). */
const NOTEBOOK_ARN = notebook().notebook.NotebookInstanceArn ?? '';
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
    // Not a terminal: the whole table, account and owner columns included.
    expect(lines[0]).toMatch(/^account\s+kind\s+name\s+owner\s+status\s+decision\s+severity\s+failed controls$/);
    expect(stdout).toMatch(/^123456789012\s+model\s+open-model\s+-\s+-\s+would delete\s+high\s+model\.vpc$/m);
    expect(stdout).toMatch(/^-\s+model\s+busy-model\s+-\s+-\s+error \(throttled\)\s+-\s+ThrottlingException: Rate exceeded$/m);
    expect(stdout).toMatch(/^123456789012\s+model\s+good-model\s+-\s+-\s+compliant\s+-$/m);
    expect(stdout).not.toContain('vanished');
    expect(stdout).toContain(
      '\n2 resources checked in 1 region: 1 with violations (1 enforce, 0 report), 0 exempt; by control: model.vpc=1; ' +
        '1 gone before they could be described (skipped); 1 could not be checked\n',
    );
    expect(stderr).toBe('1 resource(s) could not be checked; see the error rows.\n');
  });

  test('--json: one object per resource, then the summary; nothing else on stdout', async () => {
    account();
    const { code, stdout } = await run({ regions: ['us-east-1'], format: 'json' });
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
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb/m);
    expect(stdout).toContain('; 1 listing failed');
    expectNothingChanged();
  });

  test('a denied Describe exits 2, said once per permission with the resource and how many more', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'secret' } as never, { ModelName: 'secret-2' } as never] });
    sageMakerMock.on(DescribeModelCommand).rejects(named('AccessDeniedException', DENIED_DESCRIBE));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'], format: 'json' });
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
    expect(stdout).toMatch(/^123456789012\s+training-job\s+old-job\s+-\s+Completed\s+no action \(Completed\)\s+high\s+training-job\.network-isolation$/m);
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+parked\s+-\s+Stopped\s+no action \(Stopped\)/m);
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
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+-\s+\S+\s+stopped/m);
    expect(stdout).toMatch(/^123456789012\s+model\s+open-model\s+-\s+\S+\s+deleted/m);
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
    expect(stdout).toMatch(/^account\s+region\s+kind\s+name/);
    expect(stdout).toMatch(/^123456789012\s+us-east-1\s+model\s+good-model/m);
    expect(stdout).toMatch(/^123456789012\s+eu-west-1\s+model\s+good-model/m);
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

describe('sagemaker-guard audit --switch-parameter: the switch is read once, first', () => {
  test.each<[string, () => void, RegExp]>([
    ['missing', () => ssmMock.on(GetParameterCommand, { Name: SWITCH_PARAMETER }).rejects(named('ParameterNotFound', 'Parameter not found.')), /it does not exist \(SSM parameter \/sagemaker-guard\/enforcement does not exist/],
    ['invalid', () => { setSwitch('off'); }, /it holds something else \(SSM parameter \/sagemaker-guard\/enforcement holds "off", not one of policy, report\)/],
    ['unreadable', () => ssmMock.on(GetParameterCommand, { Name: SWITCH_PARAMETER }).rejects(named('AccessDeniedException', 'not authorized to perform: ssm:GetParameter')), /it could not be read/],
  ])('%s: says so, with the parameter, the region and the values it may hold, audits nothing and exits 2', async (_name, arrange, detail) => {
    account();
    arrange();
    for (const format of ['table', 'json'] as const) {
      const { code, stdout, stderr } = await run({ regions: ['eu-west-1'], switchParameter: SWITCH_PARAMETER, format });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^--switch-parameter \/sagemaker-guard\/enforcement: the enforcement switch cannot be used in eu-west-1: /);
      expect(stderr).toMatch(detail);
      expect(stderr).toContain('It must hold one of "policy", "report". Nothing was audited.\n');
    }
    expect(sageMakerMock.calls()).toHaveLength(0);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: SWITCH_PARAMETER });
  });

  test('"report": said on stderr and in the summary; enforced controls are reported, nothing is acted on', async () => {
    account();
    setSwitch('report');
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'], switchParameter: SWITCH_PARAMETER, format: 'json', remediate: true, yes: true });
    expect(code).toBe(1);
    expect(stderr).toBe('Enforcement switch /sagemaker-guard/enforcement in us-east-1: report (enforced controls are only reported, nothing is stopped or deleted)\n');
    const objects = ndjson(stdout);
    expect(objects.find((object) => object.name === 'open-nb')).toMatchObject({ decision: 'report', action: 'none', failed: [{ mode: 'report' }] });
    expect(objects.at(-1)).toMatchObject({ type: 'summary', switch: { parameter: SWITCH_PARAMETER, region: 'us-east-1', value: 'report' }, report: 2, enforce: 0 });
    expectNothingChanged();
  });
});

describe('sagemaker-guard audit: a run that could check nothing never exits 0', () => {
  test('every resource failed (throttled past the retries): exit 2, and it says why', async () => {
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'busy-1' } as never, { ModelName: 'busy-2' } as never] });
    sageMakerMock.on(DescribeModelCommand).rejects(named('ThrottlingException', 'Rate exceeded'));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'] });
    expect(code).toBe(2);
    expect(stdout).toContain('0 resources checked in 1 region');
    expect(stderr).toBe(
      '2 resource(s) could not be checked; see the error rows.\n' +
        'Nothing was checked: each of the 2 resource(s) found failed, so this audit cannot say whether anything breaks a control (exit 2).\n',
    );
    const json = await run({ regions: ['us-east-1'], format: 'json' });
    expect(ndjson(json.stdout).at(-1)).toMatchObject({ type: 'summary', checked: 0, failed: 2, exitCode: 2 });
  });

  test('a listing that failed (denied) with nothing else to check: exit 2', async () => {
    sageMakerMock.on(ListModelsCommand).rejects(named('AccessDeniedException', DENIED_LIST));
    const { code } = await run({ regions: ['us-east-1'], kinds: ['model'] });
    expect(code).toBe(2);
  });
});

describe('sagemaker-guard audit: owner, account and severity on every row', () => {
  test('the owner tag (the policy\'s ownerTagKey, cleaned), the account from the ARN, the highest severity', async () => {
    account();
    sageMakerMock.on(ListTagsCommand, { ResourceArn: NOTEBOOK_ARN }).resolves({ Tags: [{ Key: 'owner', Value: ' alice@example.com\u001b[31m ' }, { Key: 'team', Value: 'ml' }] });
    const { stdout } = await run({ regions: ['us-east-1'], format: 'json' });
    const objects = ndjson(stdout);
    expect(objects.find((object) => object.name === 'open-nb')).toMatchObject({ account: '123456789012', owner: 'alice@example.com[31m', severity: 'critical' });
    expect(objects.find((object) => object.name === 'good-model')).toMatchObject({ account: '123456789012', owner: null, severity: null });
    expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ severity: 'high' });

    const table = await run({ regions: ['us-east-1'] });
    expect(table.stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+alice@example\.com\[31m\s+InService\s+would stop\s+critical\s+notebook-instance\.direct-internet-access/m);
    expect(table.stdout).not.toContain('\u001b');
  });

  test('another ownerTagKey', async () => {
    account();
    sageMakerMock.on(ListTagsCommand, { ResourceArn: NOTEBOOK_ARN }).resolves({ Tags: [{ Key: 'owner', Value: 'not-this' }, { Key: 'CostCenterOwner', Value: 'bob@example.com' }] });
    let stdout = '';
    await audit({ ...OPTIONS, regions: ['us-east-1'], format: 'json' }, settings({ ownerTagKey: 'CostCenterOwner' }), {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      interactive: false,
      confirm: () => Promise.resolve(false),
      now: () => NOW,
    });
    expect(ndjson(stdout).find((object) => object.name === 'open-nb')).toMatchObject({ owner: 'bob@example.com' });
  });

  test('a ListTags that fails is the pipeline\'s to report: the row is an error, as before', async () => {
    account();
    sageMakerMock.on(ListTagsCommand, { ResourceArn: NOTEBOOK_ARN }).rejects(named('ThrottlingException', 'Rate exceeded'));
    const { stdout } = await run({ regions: ['us-east-1'], format: 'json' });
    expect(ndjson(stdout).find((object) => object.name === 'open-nb')).toMatchObject({ type: 'error', error: { name: 'ThrottlingException' } });
  });
});

describe('sagemaker-guard audit --format csv', () => {
  test('a header, one record per failed control, errors as records; the summary on stderr; the exit code as ever', async () => {
    account();
    sageMakerMock.on(ListTagsCommand, { ResourceArn: NOTEBOOK_ARN }).resolves({ Tags: [{ Key: 'owner', Value: 'Smith, "Al"' }] });
    sageMakerMock.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'open-model' } as never, { ModelName: 'busy' } as never] });
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'busy' }).rejects(named('ThrottlingException', 'Rate exceeded'));
    const { code, stdout, stderr } = await run({ regions: ['us-east-1'], format: 'csv' });
    expect(code).toBe(1);
    expect(stdout.split('\r\n')).toEqual([
      'account,region,kind,name,status,owner,control,severity,mode,action,message',
      '123456789012,us-east-1,model,open-model,,,model.vpc,high,enforce,would-delete,VpcConfig is absent for a primary container',
      ',us-east-1,model,busy,,,,,,error,ThrottlingException: Rate exceeded',
      '123456789012,us-east-1,notebook-instance,open-nb,InService,"Smith, ""Al""",notebook-instance.direct-internet-access,critical,enforce,would-stop,DirectInternetAccess is Enabled',
      '',
    ]);
    expect(stderr).toContain('3 resources checked in 1 region: 2 with violations (2 enforce, 0 report)');
    expect(stderr).toContain('1 resource(s) could not be checked; see the error rows (action "error").\n');
  });

  test('a failed listing is a record too', async () => {
    sageMakerMock.on(ListModelsCommand).rejects(named('AccessDeniedException', DENIED_LIST));
    const { code, stdout } = await run({ regions: ['us-east-1'], kinds: ['model'], format: 'csv' });
    expect(code).toBe(2);
    expect(stdout).toBe(`account,region,kind,name,status,owner,control,severity,mode,action,message\r\n,us-east-1,model,,,,,,,error,could not list (sagemaker:ListModels): AccessDeniedException: ${DENIED_LIST}\r\n`);
  });

  test('an interactive --remediate writes the header once, for the audit and the actions', async () => {
    account();
    const { stdout } = await run({ regions: ['us-east-1'], format: 'csv', remediate: true }, { interactive: true, answer: true });
    expect(stdout.match(/^account,region,/gm)).toHaveLength(1);
    expect(stdout).toMatch(/,model\.vpc,high,enforce,would-delete,/);
    expect(stdout).toMatch(/,model\.vpc,high,enforce,deleted,/);
  });
});

describe('sagemaker-guard audit --remediate: the status after the action', () => {
  test('read again after the action: a stopped notebook is Stopping, a deleted model is gone', async () => {
    account();
    sageMakerMock
      .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' })
      .resolvesOnce(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled' }).notebook)
      .resolves(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled', NotebookInstanceStatus: 'Stopping' }).notebook);
    sageMakerMock
      .on(DescribeModelCommand, { ModelName: 'open-model' })
      .resolvesOnce(model({ ModelName: 'open-model', VpcConfig: undefined }))
      .rejects(validation('Could not find model "open-model".'));
    const { code, stdout } = await run({ regions: ['us-east-1'], remediate: true, yes: true, format: 'json' });
    expect(code).toBe(1);
    const objects = ndjson(stdout);
    expect(objects.find((object) => object.name === 'open-nb')).toMatchObject({ action: 'stopped', status: 'Stopping', statusBefore: 'InService' });
    expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ action: 'deleted', status: 'gone', statusBefore: null });
    // Compliant resources are not acted on, nor read again.
    expect(objects.find((object) => object.name === 'good-model')).not.toHaveProperty('statusBefore');
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeNotebookInstanceCommand, 2);
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeModelCommand, 3);
  });

  test('in the table too', async () => {
    account();
    sageMakerMock
      .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' })
      .resolvesOnce(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled' }).notebook)
      .resolves(notebook({ NotebookInstanceName: 'open-nb', NotebookInstanceStatus: 'Stopping' }).notebook);
    sageMakerMock
      .on(DescribeModelCommand, { ModelName: 'open-model' })
      .resolvesOnce(model({ ModelName: 'open-model', VpcConfig: undefined }))
      .rejects(validation('Could not find model "open-model".'));
    const { stdout } = await run({ regions: ['us-east-1'], remediate: true, yes: true });
    expect(stdout).toMatch(/^123456789012\s+notebook-instance\s+open-nb\s+-\s+Stopping\s+stopped\s+critical\s/m);
    expect(stdout).toMatch(/^123456789012\s+model\s+open-model\s+-\s+gone\s+deleted\s+high\s+model\.vpc$/m);
  });

  test('a status that cannot be read again is unknown, and says why; a denied action changed nothing', async () => {
    account();
    sageMakerMock
      .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' })
      .resolvesOnce(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled' }).notebook)
      .rejects(named('ThrottlingException', 'Rate exceeded'));
    sageMakerMock.on(DeleteModelCommand).rejects(named('AccessDeniedException', 'not authorized to perform: sagemaker:DeleteModel'));
    const { stdout } = await run({ regions: ['us-east-1'], remediate: true, yes: true, format: 'json' });
    const objects = ndjson(stdout);
    expect(objects.find((object) => object.name === 'open-nb')).toMatchObject({ status: null, statusBefore: 'InService', statusReadError: 'ThrottlingException: Rate exceeded' });
    expect(objects.find((object) => object.name === 'open-model')).toMatchObject({ action: 'not-applied', actionResult: { type: 'denied' }, status: null, statusBefore: null });
    expect(sageMakerMock).toHaveReceivedCommandTimes(DescribeModelCommand, 2);
  });
});

describe('sagemaker-guard audit: the policy it used', () => {
  test('said on stderr before the audit, and in the JSON summary', async () => {
    account();
    const context = { policySource: 'context.policy of /work/guard/cdk.json', policyLine: 'Policy: context.policy of /work/guard/cdk.json (the cdk.json in the current directory ...)' };
    let stdout = '';
    let stderr = '';
    await audit({ ...OPTIONS, regions: ['us-east-1'], format: 'json' }, settings(), { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, interactive: false, confirm: () => Promise.resolve(false), now: () => NOW }, context);
    expect(stderr).toBe(`${context.policyLine}\n`);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: 'summary', policySource: 'context.policy of /work/guard/cdk.json', exitCode: 1 });
  });
});

describe('the existing estate, as the deployed guard\'s ledger says', () => {
  beforeEach(() => {
    resetMocks();
    account();
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    // Running since before enforcement began (a notebook's episode is its last start or update).
    sageMakerMock
      .on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'open-nb' })
      .resolves(notebook({ NotebookInstanceName: 'open-nb', DirectInternetAccess: 'Enabled', LastModifiedTime: new Date('2026-11-01T10:00:00Z') }).notebook);
  });

  async function withEstate(options: Partial<AuditOptions>, since: Date | undefined): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const regions: string[] = [];
    const code = await audit(
      { ...OPTIONS, regions: ['us-east-1'], ...options },
      settings(),
      { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, interactive: false, confirm: () => Promise.resolve(false), now: () => NOW },
      {
        estate: (region) => {
          regions.push(region);
          return Promise.resolve(
            since === undefined ? { state: 'none', line: `Existing estate in ${region}: not known (test)` } : { state: 'known', since, line: `Existing estate in ${region}: enforcement began ${since.toISOString()}` },
          );
        },
      },
    );
    expect(regions).toEqual(["us-east-1"]);
    return { code, stdout, stderr, questions: [] };
  }

  test('resources older than enforcement are marked existing, counted, and said where the time came from', async () => {
    // Every fixture was created on 2026-11-01.
    const { code, stdout, stderr } = await withEstate({ format: 'json' }, new Date('2026-11-15T00:00:00Z'));
    expect(code).toBe(1);
    expect(stderr).toContain('Existing estate in us-east-1: enforcement began 2026-11-15T00:00:00.000Z');
    const rows = ndjson(stdout);
    const openModel = rows.find((row) => row.name === 'open-model');
    expect(openModel).toMatchObject({ decision: 'report', existingEstate: { enforcementSince: '2026-11-15T00:00:00.000Z' }, action: 'none' });
    expect(rows.at(-1)).toMatchObject({ type: 'summary', existing: 2 });
  });

  test('--remediate --yes spares the existing estate as the responders do; newer resources are acted on', async () => {
    sageMakerMock.on(DescribeModelCommand, { ModelName: 'open-model' }).resolves(model({ ModelName: 'open-model', VpcConfig: undefined, CreationTime: new Date('2026-11-20T00:00:00Z') }));
    const { stdout } = await withEstate({ format: 'json', remediate: true, yes: true }, new Date('2026-11-15T00:00:00Z'));
    expect(sageMakerMock).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'open-model' });
    expect(sageMakerMock).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
    expect(ndjson(stdout).find((row) => row.name === 'open-nb')).toMatchObject({ existingEstate: { enforcementSince: '2026-11-15T00:00:00.000Z' } });
  });

  test('no known start (no guard deployed, or it never enforced): said, and nothing is marked existing', async () => {
    const { stdout, stderr } = await withEstate({ format: 'json' }, undefined);
    expect(stderr).toContain('Existing estate in us-east-1: not known (test)');
    expect(ndjson(stdout).every((row) => row.type !== 'resource' || row.existingEstate === null)).toBe(true);
  });
});
