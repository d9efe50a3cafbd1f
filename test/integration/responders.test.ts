/**
 * The three responders, as bundled by `npx cdk synth`, run one event each in a fresh node process (a cold
 * start) against moto_server: real SDK calls, real EC2 lookups, real SNS -> SQS delivery of the notice.
 *
 * What moto cannot show (see MOTO-NOTES.md): a running training job (jobs are Completed at once, and
 * StopTrainingJob is not implemented), a model with network isolation (DescribeModel always says false),
 * and a notebook's IMDS setting (never returned). So these settings turn off the two controls moto would
 * always fail, and the training-job scene checks the not-actionable path only.
 */
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateModelCommand,
  CreateNotebookInstanceCommand,
  CreateTrainingJobCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import {
  attributesOf,
  listTags,
  createQueue,
  receiveNotices,
  setEnforcementSwitch,
  type Clients,
  type Network,
  type NoticeChannel,
} from '../../tools/local/aws-scene';
import { findBundles, staleSynthWarning, switchParameterName, type BundledFunction, type ResponderKind } from '../../tools/local/cdk-out';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { decisionLog, invokeBundled, logsWithMessage, type Invocation } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

/**
 * moto hard-codes EnableNetworkIsolation=false in DescribeModel and never returns
 * InstanceMetadataServiceConfiguration for notebooks, so these two controls would fail every resource.
 */
const SETTINGS = emulatorPolicy();
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const GUARD_TAG = /^sagemaker-guard:/;

// Each invocation is a cold start of a bundle (~1 s); some tests make two.
jest.setTimeout(30_000);

const gate = motoGate('responders against moto');

gate.describe('responders (cdk.out bundles) against moto', () => {
  let bundles: Record<ResponderKind, BundledFunction>;
  const scene = useEmulatorScene();
  let clients: Clients;
  let network: Network;
  let channel: NoticeChannel;
  let eventCount = 0;

  beforeAll(() => {
    bundles = findBundles();
    const stale = staleSynthWarning();
    if (stale !== undefined) console.warn(stale);
  });

  beforeEach(() => {
    ({ clients, network, channel } = scene());
  });

  function invoke(kind: ResponderKind, event: unknown, settings: unknown = SETTINGS): Promise<Invocation> {
    return invokeBundled(bundles[kind], event, {
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(settings), LEDGER_TABLE: scene().ledgerTable },
    });
  }

  /** The published sample (or variant) with the name of the resource under test and a new event id. */
  function sampleEvent(path: string, detail: Record<string, unknown>): SampleEvent {
    eventCount += 1;
    return eventFor(loadEvent(path), detail, `00000000-0000-4000-8000-${String(eventCount).padStart(12, '0')}`);
  }

  /** The notebook event as SageMaker sends it: the name keeps its case, the ARN is lower-cased. */
  function notebookEvent(name: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name.toLowerCase()}`;
    return { ...sampleEvent('variants/notebook-instance.inservice.json', { NotebookInstanceName: name, NotebookInstanceArn: arn }), resources: [arn] };
  }

  function modelEvent(name: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:model/${name.toLowerCase()}`;
    return { ...sampleEvent('variants/model.created.json', { ModelName: name, ModelArn: arn }), resources: [arn] };
  }

  async function notebookStatus(name: string): Promise<string | undefined> {
    return (await clients.sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }))).NotebookInstanceStatus;
  }

  /** Names of the EMF metrics the invocation printed. */
  function metricNames(invocation: Invocation): string[] {
    return invocation.logs.flatMap((line) => {
      const aws = line._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined;
      return (aws?.CloudWatchMetrics ?? []).flatMap((directive) => (directive.Metrics ?? []).map((metric) => metric.Name));
    });
  }

  /** The single element, failing with the whole list when there is not exactly one. */
  function only<T>(items: readonly T[]): T {
    expect(items).toHaveLength(1);
    return items[0];
  }

  function guardTags(tags: readonly Tag[]): Tag[] {
    return tags.filter((tag) => GUARD_TAG.test(tag.Key ?? ''));
  }

  /** What a successful invocation must look like, with the output shown when it is not. */
  function expectSucceeded(invocation: Invocation): void {
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      throw new Error(`the handler failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    }
  }

  test('a non-compliant notebook is stopped, tagged, and its owner gets one notice; a duplicate event does nothing more', async () => {
    const name = 'Research-Notebook-Open';
    const { NotebookInstanceArn: arn } = await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.publicSubnetId,
        SecurityGroupIds: [network.openSecurityGroupId],
        DirectInternetAccess: 'Enabled',
        Tags: [{ Key: 'owner', Value: 'alice@example.com' }],
      }),
    );
    const event = notebookEvent(name);

    const invocation = await invoke('notebook-instance', event);

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const failed = [
      'notebook-instance.direct-internet-access',
      'notebook-instance.private-subnet',
      'notebook-instance.security-groups',
      'notebook-instance.root-access',
      'notebook-instance.kms-key',
    ];
    const decision = decisionLog(invocation);
    expect(decision).toMatchObject({ decision: 'remediate', switch: 'policy', failed, correlation_id: event.id, cold_start: true });
    expect(decision.resource).toMatchObject({ kind: 'notebook-instance', name, arn, status: 'InService' });
    const controls = decision.controls as Record<string, string>;
    expect(controls['notebook-instance.vpc']).toBe('pass');
    expect(controls['notebook-instance.imdsv2']).toBe('off [off by policy.controls]');
    // The EC2 facts were really read: the subnet's public IP mapping and the open SG rules are named.
    expect(controls['notebook-instance.private-subnet']).toBe(`fail [enforce by policy.mode]: subnet ${network.publicSubnetId} has MapPublicIpOnLaunch=true`);
    expect(controls['notebook-instance.security-groups']).toContain(`${network.openSecurityGroupId} ingress tcp 22 from 0.0.0.0/0`);
    expect(controls['notebook-instance.security-groups']).toContain(`${network.openSecurityGroupId} egress all traffic to 0.0.0.0/0`);

    expect(await notebookStatus(name)).toBe('Stopped');
    const tags = await listTags(clients.sageMaker, arn ?? '');
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'sagemaker-guard:violations', Value: failed.join(' ') },
        { Key: 'sagemaker-guard:action', Value: 'stop' },
        { Key: 'sagemaker-guard:event-id', Value: event.id },
        { Key: 'owner', Value: 'alice@example.com' },
      ]),
    );
    // The tags only explain; the guard's state is the ledger, which no tag can change.
    expect(tags.map((tag) => tag.Key)).not.toContain('sagemaker-guard:notice');

    const notice = only(await receiveNotices(clients.sqs, channel.queueUrl));
    expect(notice.TopicArn).toBe(channel.topicArn);
    expect(notice.Subject).toBe(`[sagemaker-guard] Stopped notebook instance ${name}: 5 controls failed`);
    for (const controlId of failed) expect(notice.Message).toContain(`(${controlId})`);
    expect(notice.Message).not.toContain('notebook-instance.imdsv2');
    expect(notice.Message).toContain('Owner:    alice@example.com');
    expect(notice.Message).toContain(`ARN:      ${arn ?? ''}`);
    expect(notice.Message).toContain(`Event id: ${event.id}`);
    expect(attributesOf(notice)).toEqual({
      kind: 'notebook-instance',
      action: 'stopped',
      severity: 'critical',
      account: '123456789012',
      region: 'us-east-1',
      owner: 'alice@example.com',
    });
    expect(logsWithMessage(invocation, 'Notice published')).toHaveLength(1);
    // EMF metrics go to stdout too, one document per fact.
    expect(metricNames(invocation)).toEqual(expect.arrayContaining(['Evaluations', 'Violations', 'Remediations', 'Notices']));
    // One EMF document per point, each with its own dimensions: a violation names its control.
    const violations = invocation.logs.filter((line) => 'Violations' in line);
    expect(violations).toHaveLength(failed.length);
    expect(violations.map((line) => line.Control).sort()).toEqual([...failed].sort());
    expect(violations.every((line) => line.Kind === 'notebook-instance' && line.Remediations === undefined)).toBe(true);
    expect(metricNames(invocation)).not.toContain('Failures');

    // EventBridge delivers at least once: the same event again finds the notebook Stopped and sends nothing.
    const duplicate = await invoke('notebook-instance', event);
    expectSucceeded(duplicate);
    expect(duplicate.result).toEqual({ decision: 'not-actionable', notified: false });
    expect(decisionLog(duplicate).resource).toMatchObject({ status: 'Stopped' });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a notebook outside any VPC and without an owner tag: stopped, notice without an owner attribute', async () => {
    const name = 'scratch-notebook';
    await clients.sageMaker.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: ROLE }));

    const invocation = await invoke('notebook-instance', notebookEvent(name));

    expectSucceeded(invocation);
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual([
      'notebook-instance.direct-internet-access',
      'notebook-instance.vpc',
      'notebook-instance.root-access',
      'notebook-instance.kms-key',
    ]);
    const controls = decision.controls as Record<string, string>;
    expect(controls['notebook-instance.private-subnet']).toMatch(/^skip: /);
    expect(controls['notebook-instance.security-groups']).toMatch(/^skip: /);
    expect(await notebookStatus(name)).toBe('Stopped');
    const notice = only(await receiveNotices(clients.sqs, channel.queueUrl));
    const attributes = attributesOf(notice);
    expect(attributes).toMatchObject({ kind: 'notebook-instance', action: 'stopped', severity: 'critical' });
    expect(attributes).not.toHaveProperty('owner');
    expect(notice.Message).toContain('Owner:    (no owner tag)');
  });

  test('a compliant notebook (private subnet, closed SG, no direct internet, no root, customer key) stays InService, untagged, no notice', async () => {
    const name = 'Compliant-Notebook';
    const { NotebookInstanceArn: arn } = await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.privateSubnetId,
        SecurityGroupIds: [network.closedSecurityGroupId],
        DirectInternetAccess: 'Disabled',
        RootAccess: 'Disabled',
        KmsKeyId: channel.kmsKeyArn,
        Tags: [{ Key: 'owner', Value: 'bob@example.com' }],
      }),
    );

    const invocation = await invoke('notebook-instance', notebookEvent(name));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual([]);
    expect(decision.controls).toEqual({
      'notebook-instance.direct-internet-access': 'pass',
      'notebook-instance.vpc': 'pass',
      'notebook-instance.private-subnet': 'pass',
      'notebook-instance.security-groups': 'pass',
      'notebook-instance.root-access': 'pass',
      'notebook-instance.kms-key': 'pass',
      'notebook-instance.imdsv2': 'off [off by policy.controls]',
      'notebook-instance.allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'notebook-instance.instance-type': 'skip: no allow-list in the policy (kinds.notebook-instance.allowedInstanceTypes)',
      'notebook-instance.required-tags': 'skip: no requiredTags in the policy',
    });
    expect(await notebookStatus(name)).toBe('InService');
    expect(guardTags(await listTags(clients.sageMaker, arn ?? ''))).toEqual([]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a subnet without public IPs whose VPC main route table goes to an internet gateway is not private', async () => {
    const name = 'Main-Table-Notebook';
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: name,
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE,
        SubnetId: network.mainTableSubnetId,
        SecurityGroupIds: [network.closedSecurityGroupId],
        DirectInternetAccess: 'Disabled',
        RootAccess: 'Disabled',
        KmsKeyId: channel.kmsKeyArn,
      }),
    );

    const invocation = await invoke('notebook-instance', notebookEvent(name));

    expectSucceeded(invocation);
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual(['notebook-instance.private-subnet']);
    expect((decision.controls as Record<string, string>)['notebook-instance.private-subnet']).toMatch(
      new RegExp(`^fail \\[enforce by policy\\.mode\\]: subnet ${network.mainTableSubnetId}: the VPC main route table it uses rtb-\\w+ routes 0\\.0\\.0\\.0/0 -> ${network.internetGatewayId} \\(an internet gateway\\)$`),
    );
    expect(await notebookStatus(name)).toBe('Stopped');
    const notices = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(notices.map((notice) => attributesOf(notice).severity)).toEqual(['high']);
  });

  test('the backout switch set to report stops all enforcement without a deploy; set back to policy, enforcement resumes', async () => {
    const name = 'Switched-Notebook';
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: ROLE, DirectInternetAccess: 'Enabled' }),
    );

    await setEnforcementSwitch(clients.ssm, switchParameterName(), 'report');
    const reported = await invoke('notebook-instance', notebookEvent(name));
    expectSucceeded(reported);
    expect(reported.result).toEqual({ decision: 'report', notified: true });
    expect(decisionLog(reported)).toMatchObject({ switch: 'report' });
    expect((decisionLog(reported).controls as Record<string, string>)['notebook-instance.direct-internet-access']).toBe(
      'fail [report by switch: policy says enforce (policy.mode)]: DirectInternetAccess is Enabled',
    );
    expect(await notebookStatus(name)).toBe('InService');
    expect(attributesOf(only(await receiveNotices(clients.sqs, channel.queueUrl)))).toMatchObject({ action: 'would-stop' });

    await setEnforcementSwitch(clients.ssm, switchParameterName(), 'policy');
    const enforced = await invoke('notebook-instance', notebookEvent(name));
    expectSucceeded(enforced);
    expect(enforced.result).toMatchObject({ decision: 'remediate', notified: true });
    expect(await notebookStatus(name)).toBe('Stopped');
  });

  test('owner routing: the owner address gets the notice through its SNS filter policy, another owner does not', async () => {
    const teamA = await createQueue(clients.sqs, 'team-a-inbox');
    const teamB = await createQueue(clients.sqs, 'team-b-inbox');
    for (const [queue, owner] of [[teamA, 'team-a'], [teamB, 'team-b']] as const) {
      await clients.sns.send(
        new SubscribeCommand({ TopicArn: channel.topicArn, Protocol: 'sqs', Endpoint: queue.arn, Attributes: { FilterPolicy: JSON.stringify({ owner: [owner] }) } }),
      );
    }
    const name = 'Team-A-Notebook';
    await clients.sageMaker.send(
      new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: ROLE, Tags: [{ Key: 'owner', Value: 'team-a' }] }),
    );

    const invocation = await invoke('notebook-instance', notebookEvent(name), emulatorPolicy({ owners: { 'team-a@example.com': ['team-a'], 'team-b@example.com': ['team-b'] } }));

    expectSucceeded(invocation);
    expect(decisionLog(invocation)).toMatchObject({ ownerRecipients: ['team-a@example.com'] });
    const toOwner = only(await receiveNotices(clients.sqs, teamA.url));
    expect(toOwner.Message).toContain('and team-a@example.com (owner team-a).');
    expect(await receiveNotices(clients.sqs, teamB.url)).toHaveLength(0);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(1);
  });

  test('report mode: a non-compliant notebook keeps running and the notice says what would have been done', async () => {
    const name = 'Reported-Notebook';
    await clients.sageMaker.send(new CreateNotebookInstanceCommand({ NotebookInstanceName: name, InstanceType: 'ml.t3.medium', RoleArn: ROLE }));

    const invocation = await invoke('notebook-instance', notebookEvent(name), { ...SETTINGS, mode: 'report' });

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'report', notified: true });
    expect(await notebookStatus(name)).toBe('InService');
    const notice = only(await receiveNotices(clients.sqs, channel.queueUrl));
    expect(notice.Subject).toBe(`[sagemaker-guard] Would stop notebook instance ${name}: 4 controls failed`);
    expect(attributesOf(notice)).toMatchObject({ action: 'would-stop' });
  });

  test('a model outside a VPC is deleted, then its owner is told', async () => {
    const name = 'ChurnModel-v2';
    await clients.sageMaker.send(
      new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE }, Tags: [{ Key: 'owner', Value: 'team-a' }] }),
    );

    const invocation = await invoke('model', modelEvent(name));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const decision = decisionLog(invocation);
    expect(decision.failed).toEqual(['model.vpc']);
    // moto returns VpcConfig {} for a model created without one.
    expect((decision.controls as Record<string, string>)['model.vpc']).toBe('fail [enforce by policy.mode]: VpcConfig has no Subnets for a primary container');
    await expect(clients.sageMaker.send(new DescribeModelCommand({ ModelName: name }))).rejects.toThrow(/Could not find model/);

    const notice = only(await receiveNotices(clients.sqs, channel.queueUrl));
    expect(notice.Subject).toBe(`[sagemaker-guard] Deleted model ${name}: 1 control failed`);
    expect(notice.Message).toContain('(model.vpc)');
    expect(attributesOf(notice)).toEqual({
      kind: 'model',
      action: 'deleted',
      severity: 'high',
      account: '123456789012',
      region: 'us-east-1',
      owner: 'team-a',
    });
  });

  test('a model in a VPC stays, with no notice', async () => {
    const name = 'vpc-model';
    await clients.sageMaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
        VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] },
      }),
    );

    const invocation = await invoke('model', modelEvent(name));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    expect(decisionLog(invocation).controls).toEqual({
      'model.network-isolation': 'off [off by policy.controls]',
      'model.vpc': 'pass',
      'model.allowed-network': 'skip: no allowedSubnets or allowedSecurityGroups in the policy',
      'model.required-tags': 'skip: no requiredTags in the policy',
    });
    const described = await clients.sageMaker.send(new DescribeModelCommand({ ModelName: name }));
    expect(described.ModelName).toBe(name);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a non-compliant training job that has already completed is left alone: not-actionable, no tags, no notice', async () => {
    const name = 'kmeans-open-1';
    const { TrainingJobArn: arn } = await clients.sageMaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: name,
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://example-bucket/output' },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    );
    // moto completes a job at once; the event still says InProgress, as a late delivery would.
    const event = sampleEvent('variants/training-job.in-progress.json', { TrainingJobName: name, TrainingJobArn: arn });

    const invocation = await invoke('training-job', event);

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'not-actionable', notified: false });
    const decision = decisionLog(invocation);
    expect(decision).toMatchObject({ decision: 'not-actionable', reportedStatus: 'InProgress' });
    expect(decision.resource).toMatchObject({ status: 'Completed' });
    expect(decision.failed).toEqual([
      'training-job.network-isolation',
      'training-job.vpc',
      'training-job.inter-container-encryption',
      'training-job.volume-kms-key',
      'training-job.output-kms-key',
    ]);
    const described = await clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    expect(described.TrainingJobStatus).toBe('Completed');
    expect(guardTags(await listTags(clients.sageMaker, arn ?? ''))).toEqual([]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('an event for a model that no longer exists (its delete event) is "gone": nothing to check, no notice', async () => {
    const invocation = await invoke('model', modelEvent('Deleted-Model-7'));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'gone', notified: false });
    expect(decisionLog(invocation)).toMatchObject({ decision: 'gone', resourceName: 'Deleted-Model-7' });
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a malformed event fails the invocation (so it is retried, then dead-lettered) with an error log naming the field', async () => {
    const sample = notebookEvent('whatever');
    const detail = { ...sample.detail };
    delete detail.NotebookInstanceName;
    const malformed = { ...sample, detail };

    const invocation = await invoke('notebook-instance', malformed);

    expect(invocation.exitCode).not.toBe(0);
    expect(invocation.error?.name).toBe('MalformedEventError');
    expect(invocation.error?.message).toContain('detail.NotebookInstanceName');
    const errors = invocation.logs.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^Malformed event/);
    expect(errors[0]?.problems).toEqual([expect.stringMatching(/^detail\.NotebookInstanceName: .*\(absent\)$/)]);
    expect(logsWithMessage(invocation, 'Decision')).toEqual([expect.objectContaining({ decision: 'malformed' })]);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('invalid GUARD_SETTINGS fail the cold start with a message naming the key', async () => {
    const invocation = await invoke('model', modelEvent('any-model'), { mode: 'enforcing' });

    expect(invocation.exitCode).not.toBe(0);
    expect(invocation.error?.name).toBe('InvalidSettingsError');
    expect(invocation.error?.message).toMatch(/mode: .*\(given: "enforcing"\)/);
  });
});
