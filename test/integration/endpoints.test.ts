/**
 * The endpoint config and endpoint responders, as bundled by `npx cdk synth`, against moto_server: real SDK calls
 * (DescribeEndpointConfig, DescribeEndpoint, DescribeModel, ListEndpoints, ListTags, DeleteEndpointConfig,
 * DeleteEndpoint) and real SNS -> SQS delivery of the notice.
 *
 * What moto 5.2.1 cannot show (see MOTO-NOTES.md, "Endpoint configs and endpoints"): an endpoint in any status
 * but InService (so no lag, no Failed), ShadowProductionVariants (dropped), a model with network isolation
 * (DescribeModel always says false: the model-network-isolation controls are off here), and a DeleteEndpointConfig
 * or DeleteEndpoint refused (moto deletes at once, whatever uses the config). The handler tests cover those.
 */
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointConfigCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { receiveNotices, attributesOf, type Clients, type Network, type NoticeChannel } from '../../tools/local/aws-scene';
import { findBundles, staleSynthWarning, type BundledFunction, type ResponderKind } from '../../tools/local/cdk-out';
import { eventFor, loadEvent, type SampleEvent } from '../../tools/local/sample-events';
import { decisionLog, invokeBundled, type Invocation } from '../../tools/local/lambda-runner';
import { emulatorPolicy } from '../../tools/local/settings';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { useEmulatorScene } from '../support/emulator-scene';
import { motoGate } from '../support/moto-gate';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
/** moto hard-codes EnableNetworkIsolation=false, so the controls lifted from model.network-isolation would fail every resource. */
const BLIND: GuardSettingsInput = { controls: { 'endpoint-config.model-network-isolation': 'off', 'endpoint.model-network-isolation': 'off' } };
const policy = (extra: GuardSettingsInput = {}): GuardSettingsInput => emulatorPolicy({ ...extra, controls: { ...BLIND.controls, ...extra.controls } });

jest.setTimeout(30_000);

const gate = motoGate('endpoint responders against moto');

gate.describe('endpoint config and endpoint responders (cdk.out bundles) against moto', () => {
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

  function invoke(kind: ResponderKind, event: unknown, settings: GuardSettingsInput = policy()): Promise<Invocation> {
    return invokeBundled(bundles[kind], event, {
      emulatorEnv: scene().emulator.env,
      env: { TOPIC_ARN: channel.topicArn, GUARD_SETTINGS: JSON.stringify(settings), LEDGER_TABLE: scene().ledgerTable },
    });
  }

  function nextId(): string {
    eventCount += 1;
    return `00000000-0000-4000-8000-${String(eventCount + 500).padStart(12, '0')}`;
  }

  function configEvent(name: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${name.toLowerCase()}`;
    return { ...eventFor(loadEvent('endpoint-config-state-change.constructed.json'), { EndpointConfigName: name, EndpointConfigArn: arn }, nextId()), resources: [arn] };
  }

  /** The documented sample (EndpointStatus IN_SERVICE), for the endpoint under test. */
  function endpointEvent(name: string, configName: string): SampleEvent {
    const arn = `arn:aws:sagemaker:us-west-2:123456789012:endpoint/${name.toLowerCase()}`;
    return { ...eventFor(loadEvent('endpoint-state-change.json'), { EndpointName: name, EndpointArn: arn, EndpointConfigName: configName }, nextId()), resources: [arn] };
  }

  function expectSucceeded(invocation: Invocation): void {
    if (invocation.exitCode !== 0 || invocation.error !== undefined) {
      throw new Error(`the handler failed (exit ${String(invocation.exitCode)}): ${JSON.stringify(invocation.error)}\n${invocation.stdout}\n${invocation.stderr}`);
    }
  }

  async function createModel(name: string, inVpc = true): Promise<void> {
    await clients.sageMaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://example-bucket/model.tar.gz' },
        ...(inVpc ? { VpcConfig: { Subnets: [network.privateSubnetId], SecurityGroupIds: [network.closedSecurityGroupId] } } : {}),
      }),
    );
  }

  async function createConfig(name: string, modelName: string, kmsKeyId: string | undefined): Promise<string> {
    const { EndpointConfigArn } = await clients.sageMaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: name,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: modelName, InitialInstanceCount: 1, InstanceType: 'ml.m5.xlarge' }],
        ...(kmsKeyId !== undefined ? { KmsKeyId: kmsKeyId } : {}),
        Tags: [{ Key: 'owner', Value: 'alice@example.com' }],
      }),
    );
    return EndpointConfigArn ?? '';
  }

  async function configExists(name: string): Promise<boolean> {
    try {
      await clients.sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }));
      return true;
    } catch (error) {
      if ((error as Error).message.includes('Could not find endpoint configuration')) return false;
      throw error;
    }
  }

  async function endpointExists(name: string): Promise<boolean> {
    try {
      await clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      return true;
    } catch (error) {
      if ((error as Error).message.includes('Could not find endpoint')) return false;
      throw error;
    }
  }

  test('an unused endpoint config without a volume key, whose model runs outside any VPC: deleted, one notice', async () => {
    await createModel('Open-Model', false);
    const arn = await createConfig('Unused-Config', 'Open-Model', undefined);

    const invocation = await invoke('endpoint-config', configEvent('Unused-Config'));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    const decision = decisionLog(invocation);
    expect(decision.resource).toMatchObject({ kind: 'endpoint-config', name: 'Unused-Config', arn, status: 'Unused' });
    expect(decision.failed).toEqual(['endpoint-config.kms-key', 'endpoint-config.model-vpc']);
    const controls = decision.controls as Record<string, string>;
    // moto returns DataCaptureConfig {} when none was given: read as "no data capture".
    expect(controls['endpoint-config.data-capture-kms-key']).toMatch(/^skip: no DataCaptureConfig/);
    expect(controls['endpoint-config.async-output-kms-key']).toMatch(/^skip: /);
    expect(controls['endpoint-config.model-vpc']).toContain('model Open-Model: VpcConfig');
    expect(await configExists('Unused-Config')).toBe(false);
    const [notice, ...more] = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(more).toHaveLength(0);
    expect(notice.Subject).toBe('[sagemaker-guard] Deleted endpoint config Unused-Config: 2 controls failed');
    expect(attributesOf(notice)).toMatchObject({ kind: 'endpoint-config', action: 'deleted', owner: 'alice@example.com' });
  });

  test('a compliant endpoint config (customer key, model in the VPC) stays, no notice', async () => {
    await createModel('Private-Model');
    await createConfig('Good-Config', 'Private-Model', channel.kmsKeyArn);

    const invocation = await invoke('endpoint-config', configEvent('Good-Config'));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    expect(await configExists('Good-Config')).toBe(true);
    expect(await receiveNotices(clients.sqs, channel.queueUrl)).toHaveLength(0);
  });

  test('a non-compliant config an endpoint runs is never deleted, only told; the endpoint is reported under the default policy, deleted under kinds.endpoint.mode: enforce', async () => {
    await createModel('Served-Model');
    await createConfig('Served-Config', 'Served-Model', undefined);
    const { EndpointArn: endpointArn } = await clients.sageMaker.send(new CreateEndpointCommand({ EndpointName: 'Serving-Endpoint', EndpointConfigName: 'Served-Config' }));

    const config = await invoke('endpoint-config', configEvent('Served-Config'));
    expectSucceeded(config);
    // Never deleted while an endpoint runs it, but told (the endpoint kind may be off): the delete was not possible.
    expect(config.result).toMatchObject({ decision: 'remediate', actionResult: { type: 'wrong-state', status: 'InUse' }, notified: true });
    expect(JSON.stringify(config.result)).toContain('endpoint Serving-Endpoint uses it');
    expect(decisionLog(config).resource).toMatchObject({ status: 'InUse' });
    expect(await configExists('Served-Config')).toBe(true);
    const [inUse] = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(attributesOf(inUse)).toMatchObject({ kind: 'endpoint-config', action: 'none' });

    const reported = await invoke('endpoint', endpointEvent('Serving-Endpoint', 'Served-Config'));
    expectSucceeded(reported);
    expect(reported.result).toEqual({ decision: 'report', notified: true });
    const decision = decisionLog(reported);
    expect(decision.resource).toMatchObject({ kind: 'endpoint', name: 'Serving-Endpoint', arn: endpointArn, status: 'InService' });
    expect(decision.failed).toEqual(['endpoint.kms-key']);
    expect((decision.controls as Record<string, string>)['endpoint.kms-key']).toContain('report by kind-default');
    expect(await endpointExists('Serving-Endpoint')).toBe(true);
    const [wouldDelete] = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(attributesOf(wouldDelete)).toMatchObject({ kind: 'endpoint', action: 'would-delete' });

    const enforced = await invoke('endpoint', endpointEvent('Serving-Endpoint', 'Served-Config'), policy({ kinds: { endpoint: { mode: 'enforce' } } }));
    expectSucceeded(enforced);
    expect(enforced.result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(await endpointExists('Serving-Endpoint')).toBe(false);
    const [deleted] = await receiveNotices(clients.sqs, channel.queueUrl);
    expect(deleted.Subject).toBe('[sagemaker-guard] Deleted endpoint Serving-Endpoint: 1 control failed');

    // With its endpoint gone, the config is no longer in use: the next event deletes it.
    const again = await invoke('endpoint-config', configEvent('Served-Config'));
    expectSucceeded(again);
    expect(again.result).toEqual({ decision: 'remediate', actionResult: { type: 'done' }, notified: true });
    expect(await configExists('Served-Config')).toBe(false);
  });

  test('an endpoint whose config was deleted under it (moto, like AWS, lets that happen) fails every config control', async () => {
    await createModel('Orphan-Model');
    await createConfig('Orphan-Config', 'Orphan-Model', channel.kmsKeyArn);
    await clients.sageMaker.send(new CreateEndpointCommand({ EndpointName: 'Orphan-Endpoint', EndpointConfigName: 'Orphan-Config' }));
    await clients.sageMaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'Orphan-Config' }));
    expect(await endpointExists('Orphan-Endpoint')).toBe(true);

    const invocation = await invoke('endpoint', endpointEvent('Orphan-Endpoint', 'Orphan-Config'));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'report', notified: true });
    const controls = decisionLog(invocation).controls as Record<string, string>;
    expect(controls['endpoint.kms-key']).toContain('runs an endpoint config that cannot be read');
    expect(controls['endpoint.model-network-isolation']).toBe('off [off by policy.controls]');
  });

  test('a compliant endpoint: described with its config and model, nothing else happens', async () => {
    await createModel('Fine-Model');
    await createConfig('Fine-Config', 'Fine-Model', channel.kmsKeyArn);
    await clients.sageMaker.send(new CreateEndpointCommand({ EndpointName: 'Fine-Endpoint', EndpointConfigName: 'Fine-Config' }));

    const invocation = await invoke('endpoint', endpointEvent('Fine-Endpoint', 'Fine-Config'), policy({ kinds: { endpoint: { mode: 'enforce' } } }));

    expectSucceeded(invocation);
    expect(invocation.result).toEqual({ decision: 'compliant', notified: false });
    expect(await endpointExists('Fine-Endpoint')).toBe(true);
  });
});
