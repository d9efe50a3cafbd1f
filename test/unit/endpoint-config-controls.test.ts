import { keysOf, runControlCases, type ControlCase } from '../support/control-cases';
import { CATALOG, evaluate, type ResourceByKind } from '../../lambda/kinds/registry';
import type { GuardSettingsInput } from '../../lambda/core/settings';
import { endpointConfig, MODEL_NAME, modelNamed, variant } from '../fixtures/endpoints';
import { modelParts } from '../../lambda/kinds/endpoint-config/controls';
import { CUSTOMER_KEY, enforceAll, model, settings } from '../fixtures/resources';

type EndpointConfig = ResourceByKind['endpoint-config'];

type Case = ControlCase<EndpointConfig>;
function run(cases: readonly Case[]): void {
  runControlCases('endpoint-config', cases);
}

const KEY = 'endpoint-config.kms-key';
const CAPTURE = 'endpoint-config.data-capture-kms-key';
const ASYNC = 'endpoint-config.async-output-kms-key';
const TYPES = 'endpoint-config.instance-type';
const ISOLATION = 'endpoint-config.model-network-isolation';
const VPC = 'endpoint-config.model-vpc';
const NETWORK = 'endpoint-config.model-allowed-network';
const TAGS = 'endpoint-config.required-tags';
const capture = (overrides: Record<string, unknown> = {}) => ({ InitialSamplingPercentage: 100, DestinationS3Uri: 's3://example-bucket/capture', CaptureOptions: [{ CaptureMode: 'Input' as const }], ...overrides });
const allowTypes = (types: string[]): GuardSettingsInput => ({ kinds: { 'endpoint-config': { allowedInstanceTypes: types } } });
const serverless = { VariantName: 'Serverless', ModelName: MODEL_NAME, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } };

describe('endpoint config controls', () => {
  test('the catalog holds them in notice order, with stable ids', () => {
    expect(CATALOG['endpoint-config'].map((control) => control.id)).toEqual([KEY, CAPTURE, ASYNC, TYPES, ISOLATION, VPC, NETWORK, TAGS]);
  });

  test('every control says how to fix it without pretending a config can be changed', () => {
    for (const control of CATALOG['endpoint-config'].filter((candidate) => candidate.id !== TAGS)) expect(control.fix).toMatch(/cannot be changed/);
    expect(Object.fromEntries(CATALOG['endpoint-config'].map((control) => [control.id, keysOf(control)]))).toEqual({
      [KEY]: 'sagemaker:VolumeKmsKeyArn',
      [CAPTURE]: undefined,
      [ASYNC]: undefined,
      [TYPES]: 'sagemaker:InstanceTypes',
      [ISOLATION]: undefined,
      [VPC]: undefined,
      [NETWORK]: undefined,
      [TAGS]: 'aws:RequestTag/${TagKey}',
    });
  });

  run([
    { control: KEY, name: 'customer key', resource: endpointConfig(), expect: 'pass' },
    { control: KEY, name: 'absent', resource: endpointConfig({ KmsKeyId: undefined }), expect: 'fail', says: 'KmsKeyId is not set' },
    { control: KEY, name: 'the AWS managed key', resource: endpointConfig({ KmsKeyId: 'alias/aws/sagemaker' }), expect: 'fail', says: 'AWS managed key' },
    { control: KEY, name: 'off the allow-list', resource: endpointConfig(), settings: { allowedKmsKeys: ['alias/other'] }, expect: 'fail', says: 'not in allowedKmsKeys' },
    {
      control: KEY,
      name: 'absent, one variant of two on instance storage: SageMaker refuses a key for the whole config',
      resource: endpointConfig({ KmsKeyId: undefined, ProductionVariants: [variant('a', MODEL_NAME, 'ml.m5.xlarge'), variant('b', MODEL_NAME, 'ml.g5.xlarge')] }),
      expect: 'skip',
      says: 'ml.g5.xlarge use local instance storage',
    },
    { control: KEY, name: 'absent, a shadow variant on instance storage', resource: endpointConfig({ KmsKeyId: undefined, ShadowProductionVariants: [variant('shadow', MODEL_NAME, 'ml.m5d.large')] }), expect: 'skip' },
    {
      control: KEY,
      name: 'set on instance storage: still held to the allow-list',
      resource: endpointConfig({ ProductionVariants: [variant('a', MODEL_NAME, 'ml.g5.xlarge')] }),
      settings: { allowedKmsKeys: ['alias/other'] },
      expect: 'fail',
    },
    { control: KEY, name: 'absent, serverless only: a key can be set, so it is required', resource: endpointConfig({ KmsKeyId: undefined, ProductionVariants: [serverless] }), expect: 'fail' },

    { control: CAPTURE, name: 'no DataCaptureConfig', resource: endpointConfig(), expect: 'skip', says: 'captures no data' },
    { control: CAPTURE, name: 'an empty DataCaptureConfig (moto returns {})', resource: endpointConfig({ DataCaptureConfig: {} as never }), expect: 'skip' },
    { control: CAPTURE, name: 'capture disabled', resource: endpointConfig({ DataCaptureConfig: capture({ EnableCapture: false }) }), expect: 'skip', says: 'EnableCapture is false' },
    { control: CAPTURE, name: 'capture on, customer key', resource: endpointConfig({ DataCaptureConfig: capture({ EnableCapture: true, KmsKeyId: CUSTOMER_KEY }) }), expect: 'pass' },
    { control: CAPTURE, name: 'capture on (EnableCapture absent), no key', resource: endpointConfig({ DataCaptureConfig: capture() }), expect: 'fail', says: 'DataCaptureConfig.KmsKeyId is not set' },
    { control: CAPTURE, name: 'capture on, AWS managed key', resource: endpointConfig({ DataCaptureConfig: capture({ KmsKeyId: 'alias/aws/sagemaker' }) }), expect: 'fail', says: 'AWS managed key' },

    { control: ASYNC, name: 'not asynchronous', resource: endpointConfig(), expect: 'skip', says: 'no AsyncInferenceConfig' },
    { control: ASYNC, name: 'asynchronous, customer key', resource: endpointConfig({ AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/out', KmsKeyId: CUSTOMER_KEY } } }), expect: 'pass' },
    { control: ASYNC, name: 'asynchronous, no key', resource: endpointConfig({ AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/out' } } }), expect: 'fail', says: 'AsyncInferenceConfig.OutputConfig.KmsKeyId is not set' },
    { control: ASYNC, name: 'asynchronous, no OutputConfig', resource: endpointConfig({ AsyncInferenceConfig: {} as never }), expect: 'fail' },

    { control: TYPES, name: 'no allow-list', resource: endpointConfig(), expect: 'skip', says: 'kinds.endpoint-config.allowedInstanceTypes' },
    { control: TYPES, name: 'allowed', resource: endpointConfig(), settings: allowTypes(['ml.m5.xlarge']), expect: 'pass' },
    { control: TYPES, name: 'a shadow variant off the list', resource: endpointConfig({ ShadowProductionVariants: [variant('shadow', MODEL_NAME, 'ml.p4d.24xlarge')] }), settings: allowTypes(['ml.m5.xlarge']), expect: 'fail', says: 'ml.p4d.24xlarge not in the allow-list' },
    { control: TYPES, name: 'serverless only', resource: endpointConfig({ ProductionVariants: [serverless] }), settings: allowTypes(['ml.m5.xlarge']), expect: 'skip', says: 'serverless' },
    { control: TYPES, name: 'a variant with neither instance type nor serverless config', resource: endpointConfig({ ProductionVariants: [variant('odd', MODEL_NAME)] }), settings: allowTypes(['ml.m5.xlarge']), expect: 'fail', says: 'names no instance type' },

    { control: ISOLATION, name: 'the model is isolated', resource: endpointConfig(), expect: 'pass' },
    { control: ISOLATION, name: 'the model is not', resource: endpointConfig({}, [{ name: MODEL_NAME, model: model({ EnableNetworkIsolation: false }) }]), expect: 'fail', says: `model ${MODEL_NAME}: EnableNetworkIsolation is false` },
    { control: ISOLATION, name: 'the model does not exist', resource: endpointConfig({}, [{ name: MODEL_NAME, model: undefined }]), expect: 'fail', says: 'does not exist' },
    {
      control: VPC,
      name: 'one of two models (a shadow variant\'s) has no VPC',
      resource: endpointConfig({ ShadowProductionVariants: [variant('shadow', 'Shadow-1', 'ml.m5.xlarge')] }, [
        { name: MODEL_NAME, model: model() },
        { name: 'Shadow-1', model: modelNamed('Shadow-1', { VpcConfig: undefined }) },
      ]),
      expect: 'fail',
      says: 'model Shadow-1: VpcConfig is absent',
    },
    // Inference components: no variant names a model, so the config's own settings are judged (review D4).
    { control: VPC, name: 'no variant names a model (inference components), no VpcConfig of its own', resource: endpointConfig({}, []), expect: 'fail', says: 'the endpoint config itself (inference components: no variant names a model): VpcConfig is absent' },
    {
      control: ISOLATION,
      name: 'inference components, the config isolated and in a VPC',
      resource: endpointConfig({ EnableNetworkIsolation: true, VpcConfig: { Subnets: ['subnet-0private'], SecurityGroupIds: ['sg-0closed'] } }, []),
      expect: 'pass',
    },
    { control: ISOLATION, name: 'inference components, the config not isolated', resource: endpointConfig({ EnableNetworkIsolation: false }, []), expect: 'fail', says: 'EnableNetworkIsolation is false' },
    { control: NETWORK, name: 'no allow-lists', resource: endpointConfig(), expect: 'skip' },
    { control: NETWORK, name: 'a subnet off the list', resource: endpointConfig(), settings: { allowedSubnets: ['subnet-0aaaa1111'] }, expect: 'fail', says: 'subnet(s) subnet-0private not in allowedSubnets' },

    { control: TAGS, name: 'no requiredTags', resource: endpointConfig(), expect: 'skip' },
    { control: TAGS, name: 'present', resource: endpointConfig(), settings: { requiredTags: { owner: [] } }, tags: { owner: 'team-a' }, expect: 'pass' },
    { control: TAGS, name: 'missing', resource: endpointConfig(), settings: { requiredTags: { owner: [] } }, expect: 'fail', says: 'tag owner is missing' },
  ]);

  test('a compliant config fails nothing, run as the handlers run it', () => {
    expect(evaluate('endpoint-config', endpointConfig(), { settings: settings(), tags: {} }, enforceAll).findings).toEqual([]);
  });
});

describe('endpoint config: pinned edges (mutation testing)', () => {
  run([
    { control: TYPES, name: 'no variants at all, under an allow-list: nothing shows an allowed type', resource: endpointConfig({ ProductionVariants: [] }, []), settings: allowTypes(['ml.m5.xlarge']), expect: 'fail', says: 'names no instance type' },
    { control: TYPES, name: 'a serverless variant beside one that names no type: not serverless only', resource: endpointConfig({ ProductionVariants: [serverless, variant('odd', MODEL_NAME)] }), settings: allowTypes(['ml.m5.xlarge']), expect: 'fail', says: 'names no instance type' },
    { control: TYPES, name: 'a variant with a ServerlessConfig and an instance type: the type is checked', resource: endpointConfig({ ProductionVariants: [{ ...serverless, InstanceType: 'ml.p4d.24xlarge' }] }), settings: allowTypes(['ml.m5.xlarge']), expect: 'fail', says: 'ml.p4d.24xlarge not in the allow-list' },
    { control: TYPES, name: 'serverless only, no allow-list: the unused control says so', resource: endpointConfig({ ProductionVariants: [serverless] }), expect: 'skip', says: 'no allow-list in the policy (kinds.endpoint-config.allowedInstanceTypes)' },
    { control: KEY, name: 'EBS variants only, no key: fails', resource: endpointConfig({ KmsKeyId: undefined, ProductionVariants: [variant('a', MODEL_NAME, 'ml.m5.xlarge'), variant('b', MODEL_NAME, 'ml.c5.xlarge')] }), expect: 'fail', says: 'KmsKeyId is not set' },
    { control: KEY, name: 'one instance-storage variant among EBS ones, no key: skipped, naming only that type', resource: endpointConfig({ KmsKeyId: undefined, ProductionVariants: [variant('a', MODEL_NAME, 'ml.m5.xlarge'), variant('b', MODEL_NAME, 'ml.g5.2xlarge')] }), expect: 'skip', says: 'ml.g5.2xlarge use local instance storage' },
    { control: ISOLATION, name: 'no variants and no models: nothing to check', resource: endpointConfig({ ProductionVariants: [] }, []), expect: 'skip' },
  ]);

  test('the skip for a lone instance-storage variant names that type only', () => {
    const control = CATALOG['endpoint-config'].find((candidate) => candidate.id === KEY)!;
    const result = control.check(endpointConfig({ KmsKeyId: undefined, ProductionVariants: [variant('a', MODEL_NAME, 'ml.m5.xlarge'), variant('b', MODEL_NAME, 'ml.g5.2xlarge')] }), { settings: settings(), tags: {} });
    expect(result).toEqual({ status: 'skip', reason: 'ml.g5.2xlarge use local instance storage encrypted by hardware; SageMaker does not accept a KmsKeyId for them' });
  });

  test('modelParts: a part per model, with a reason only when the model is missing', () => {
    const present = model();
    expect(modelParts(endpointConfig({}, [{ name: MODEL_NAME, model: present }, { name: 'gone', model: undefined }, { name: 'denied', model: undefined, missing: 'DescribeModel was denied' }]))).toEqual([
      { label: `model ${MODEL_NAME}`, value: present },
      { label: 'model gone', value: undefined, missing: 'does not exist (DescribeModel: not found), so nothing shows how the containers an endpoint runs from this config are networked' },
      { label: 'model denied', value: undefined, missing: 'DescribeModel was denied' },
    ]);
    expect(modelParts(endpointConfig({ ProductionVariants: [] }, []))).toEqual([]);
  });
});
