/**
 * Adversarial review of the five new kinds and the one-folder-per-kind refactor (f76a882..HEAD).
 * Every test here FAILS on the current code, for the reason its comment states; each says what the defect is and
 * what the correct behaviour would be. Production code is untouched.
 */
import {
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  StopTrainingJobCommand,
  DescribeTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { clearEndpointScan } from '../../lambda/kinds/endpoint-config/in-use';
import { CONFIG_NAME, configDescription, endpointDescription, ENDPOINT_NAME, MODEL_NAME } from '../fixtures/endpoints';
import { model, trainingJob } from '../fixtures/resources';
import { event, handlerFor, publishedNotice, resetMocks, sageMakerMock, setEnforcementSince, snsMock } from '../handlers/harness';

const trainingEvent = event('variants/training-job.in-progress.json');
const endpointInService = event('endpoint-state-change.json');
const configCreated = event('endpoint-config-state-change.constructed.json');

/** The training job name of the training variant event. */
const CHILD = '89c96cc8-dded-4739-afcc-6f1dc936701d';
const TUNING_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/exfil-tuning';

/** A training job launched by a tuning job, without network isolation (fails training-job.network-isolation, high). */
function openChild(): void {
  sageMakerMock
    .on(DescribeTrainingJobCommand, { TrainingJobName: CHILD })
    .resolves(
      trainingJob({ TrainingJobName: CHILD, TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${CHILD}`, EnableNetworkIsolation: false, TuningJobArn: TUNING_ARN }),
    );
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
}

function endpointRuns(configName: string, config: ReturnType<typeof configDescription>, endpointOverrides: Parameters<typeof endpointDescription>[0] = {}): void {
  sageMakerMock.on(DescribeEndpointCommand, { EndpointName: ENDPOINT_NAME }).resolves(endpointDescription({ EndpointConfigName: configName, ...endpointOverrides }));
  sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: configName }).resolves(config);
  sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(model());
  sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
}

beforeEach(() => {
  resetMocks();
  clearEndpointScan();
});

describe('D1: a child training job is skipped as "part-of" its tuning job whatever the policy says of tuning jobs', () => {
  // DEFECT (lambda/kinds/training-job/adapter.ts:13-18, lambda/pipeline/handle.ts:114): any training job with a
  // TuningJobArn returns decision 'part-of' before any mode is resolved. The skip is only sound when the tuning job's
  // matching control enforces at least as strictly as the training job's. With hyper-parameter-tuning-job turned off
  // (or left at report) while training jobs are enforced, a data scientist wraps a non-isolated training job in a
  // one-trial tuning job and it runs to completion: no stop from either responder (the tuning one is off).
  // CORRECT: the child is judged on its own (stopped here) unless its parent's corresponding control resolves to
  // enforce; equivalently, delegate only when the parent kind is not off/report for that control.
  const cases: [string, GuardSettingsInput][] = [
    ['kinds.hyper-parameter-tuning-job.mode: off, training enforced by the global mode', { kinds: { 'hyper-parameter-tuning-job': { mode: 'off' } } }],
    ['global report, kinds.training-job.mode: enforce', { mode: 'report', kinds: { 'training-job': { mode: 'enforce' } } }],
    ['global report, controls.training-job.network-isolation: enforce', { mode: 'report', controls: { 'training-job.network-isolation': 'enforce' } }],
  ];
  test.each(cases)('%s: the non-isolated child training job is stopped', async (_label, policy) => {
    openChild();
    const result = await handlerFor('training-job', policy)(trainingEvent);
    expect(result).toMatchObject({ decision: 'remediate' });
    expect(sageMakerMock).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: CHILD });
  });
});

describe('D2: the endpoint episode ignores which config the endpoint runs', () => {
  // DEFECT (lambda/kinds/endpoint/adapter.ts:38-41 episodeFor): the episode is max(endpoint CreationTime, config
  // CreationTime). An UpdateEndpoint to a config created BEFORE the endpoint (any pre-existing config) keeps the
  // episode, so under the default (report) policy the endpoint's move to another non-compliant config is a ledger
  // 'duplicate': no notice is ever sent about what it runs now.
  // CORRECT: running a different config is a new episode (the episode should carry the EndpointConfigName/ARN, e.g.
  // "<time>#<config>", with isExistingEstate reading only the time part), so the second state is reported.
  test('an update to an older, differently non-compliant config is told (report by default)', async () => {
    const handler = handlerFor('endpoint');
    endpointRuns(CONFIG_NAME, configDescription({ KmsKeyId: undefined }));
    await expect(handler(endpointInService)).resolves.toMatchObject({ decision: 'report', notified: true });

    // The owner moves the endpoint to an old config (created 2026-10-01, before the endpoint) with open data capture.
    const old = configDescription({
      EndpointConfigName: 'LegacyConfig',
      CreationTime: new Date('2026-10-01T00:00:00Z'),
      DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 100, DestinationS3Uri: 's3://somewhere/capture', CaptureOptions: [{ CaptureMode: 'Input' }] },
    });
    endpointRuns('LegacyConfig', old, { LastModifiedTime: new Date('2026-11-20T00:00:00Z') });
    const second = await handler({ ...endpointInService, id: 'after-update-to-legacy-config' });
    expect(second).toMatchObject({ decision: 'report', notified: true });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  // Same root cause, enforcement evasion: an endpoint created before enforcement began (compliant then) is moved,
  // after enforcement began, to an old non-compliant config. episode = max(2026-11-02, 2026-10-01) is before the
  // enforcement start, so with sweep.actOnExisting off (the default) it is "existing estate": reported, never deleted,
  // although it began running that config after enforcement began (LastModifiedTime 2026-11-20).
  // NOT FIXED (a known limit, in the closing note of issue 10): Describe tells no time at which an endpoint moved to its
  // config, and LastModifiedTime also moves on every scaling, which would take old endpoints out of the estate (and
  // delete them under enforce) when they autoscale. What this pins: the move is never silent. The endpoint is
  // reported as existing estate ("Would delete existing"), with a notice of its own, since the config is part of the
  // episode; the full fix (the ledger noticing a config change after enforcement began) is left for later.
  test('existing-estate limit: re-pointing a pre-enforcement endpoint to a pre-enforcement bad config is reported, never silent', async () => {
    setEnforcementSince('2026-11-05T00:00:00.000Z');
    const old = configDescription({ EndpointConfigName: 'LegacyConfig', KmsKeyId: undefined, CreationTime: new Date('2026-10-01T00:00:00Z') });
    endpointRuns('LegacyConfig', old, { LastModifiedTime: new Date('2026-11-20T00:00:00Z') });
    const result = await handlerFor('endpoint', { kinds: { endpoint: { mode: 'enforce' } } })(endpointInService);
    expect(result).toMatchObject({ decision: 'report', notified: true });
    expect(sageMakerMock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(publishedNotice().subject).toContain('Would delete existing endpoint');
  });
});

describe('D3: an in-use endpoint config is left to the endpoint kind even when the endpoint kind does not look', () => {
  // DEFECT (lambda/kinds/endpoint-config/index.ts actionableStatuses ['Unused'] + lambda/core/decision.ts decide():
  // not-actionable before report): a non-compliant config that an endpoint runs is 'not-actionable' -> no notice, on
  // the premise that "the endpoint kind judges the endpoint". With kinds.endpoint.mode: off that premise is false
  // and the config (enforced kind!) goes unreported for as long as it serves.
  // CORRECT: an in-use config that fails enforced/reported controls is at least reported (never deleted), or the
  // delegation applies only when the endpoint's matching control is not off.
  test('kinds.endpoint.mode: off: a non-compliant config in use is still reported', async () => {
    sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME }).resolves(configDescription({ KmsKeyId: undefined }));
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(model());
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    sageMakerMock.on(ListEndpointsCommand).resolves({ Endpoints: [{ EndpointName: ENDPOINT_NAME, EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/myendpoint', EndpointStatus: 'InService', CreationTime: new Date(), LastModifiedTime: new Date() }] });
    sageMakerMock.on(DescribeEndpointCommand, { EndpointName: ENDPOINT_NAME }).resolves(endpointDescription());
    const result = await handlerFor('endpoint-config', { kinds: { endpoint: { mode: 'off' } } })(configCreated);
    expect(result).toMatchObject({ notified: true });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(publishedNotice().message).toContain('endpoint-config.kms-key');
  });
});

describe('D4: an endpoint config for inference components: its own network settings are never checked', () => {
  // DEFECT (lambda/kinds/endpoint-config/controls.ts modelParts/noParts + endpointConfigControls): a config whose
  // variants name no model (inference components) skips every model-* control ("its models are the components'"),
  // and no control reads the config's OWN EnableNetworkIsolation / VpcConfig, which DescribeEndpointConfig returns
  // and which (API reference) "indicates whether all model containers deployed to the endpoint are isolated".
  // A data scientist builds an inference-component endpoint with EnableNetworkIsolation=false and no VpcConfig:
  // the config (and the endpoint, through it) is judged compliant.
  // CORRECT: when the config carries no variant models, its own EnableNetworkIsolation/VpcConfig are checked by the
  // network-isolation/vpc controls (fail here). (Real-service semantics of IC network settings: worth confirming.)
  test('a config with no variant model, EnableNetworkIsolation=false and no VpcConfig fails the network controls', async () => {
    const icConfig = configDescription({
      ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.xlarge', InitialInstanceCount: 1, RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' } }],
      EnableNetworkIsolation: false,
      VpcConfig: undefined,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    });
    sageMakerMock.on(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG_NAME }).resolves(icConfig);
    sageMakerMock.on(ListTagsCommand).resolves({ Tags: [] });
    const result = await handlerFor('endpoint-config', { mode: 'report' })(configCreated);
    expect(result).toMatchObject({ decision: 'report', notified: true });
    expect(publishedNotice().message).toContain('EnableNetworkIsolation');
  });
});

describe('D5: a model re-created after deployment is trusted once the endpoint merely scales', () => {
  // DEFECT (lambda/kinds/endpoint/adapter.ts:19-30 trusted()): a model is trusted when it was created before the
  // endpoint's LastModifiedTime. A scaling (UpdateEndpointWeightsAndCapacities, autoscaling) moves LastModifiedTime
  // without redeploying anything (episodeFor's own comment says so), and DeleteModel does not touch a running endpoint
  // (aws-facts.md). So: endpoint reported for a non-isolated model M; owner deletes M, re-creates M isolated (the
  // model kind sees a compliant model), triggers a scale-out -> the endpoint, still running the OLD containers, is
  // judged compliant: the finding silently disappears (the sweep and audit say compliant).
  // CORRECT: compare the model's CreationTime with when the endpoint began running its config (the episode time,
  // max(endpoint CreationTime, config CreationTime)), not LastModifiedTime: the model here is still "not trusted".
  test('model re-created 11-10, endpoint scaled 11-12: still not trusted (reported)', async () => {
    endpointRuns(CONFIG_NAME, configDescription(), { LastModifiedTime: new Date('2026-11-12T00:00:00Z') });
    sageMakerMock.on(DescribeModelCommand, { ModelName: MODEL_NAME }).resolves(model({ CreationTime: new Date('2026-11-10T00:00:00Z') }));
    const result = await handlerFor('endpoint')(endpointInService);
    expect(result).toMatchObject({ decision: 'report', notified: true });
    expect(publishedNotice().message).toContain('was created again');
  });
});
