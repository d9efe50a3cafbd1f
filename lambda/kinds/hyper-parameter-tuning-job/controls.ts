import type { DescribeHyperParameterTuningJobCommandOutput, HyperParameterTrainingJobDefinition, HyperParameterTuningResourceConfig } from '@aws-sdk/client-sagemaker';
import { derivedControls, fixFrom, suffixOf, requiredTagsControl, type Part } from '../../controls/blocks';
import type { Control } from '../../controls/types';
import { trainingJobControls, type TrainingSettings } from '../training-job/controls';

export type HyperParameterTuningJob = Omit<DescribeHyperParameterTuningJobCommandOutput, '$metadata'>;

const KIND = 'hyper-parameter-tuning-job';
const RECREATE = 'Start a new tuning job (the training job definitions of an existing one cannot be changed; stopping it stops its training jobs) whose every training job definition has';

type ResourceConfig = NonNullable<TrainingSettings['ResourceConfig']>;

/**
 * A HyperParameterTuningResourceConfig as the training controls read a ResourceConfig. Any of its alternatives
 * (InstanceType/InstanceCount, or each of InstanceConfigs) may be what a training job runs on, so every one of
 * their instance types is listed (as instance groups that add no instances) and the count is the largest of them:
 * the instance-type and volume-key controls see every type that can run, inter-container encryption the largest
 * cluster that can run.
 */
export function tuningResourceConfig(config: HyperParameterTuningResourceConfig): ResourceConfig {
  const alternatives = [
    ...(config.InstanceType !== undefined || config.InstanceCount !== undefined ? [{ InstanceType: config.InstanceType, InstanceCount: config.InstanceCount }] : []),
    ...(config.InstanceConfigs ?? []),
  ];
  const counts = alternatives.map((alternative) => alternative.InstanceCount).filter((count): count is number => count !== undefined);
  const types = alternatives.map((alternative) => alternative.InstanceType).filter((type): type is NonNullable<typeof type> => type !== undefined);
  return {
    ...(counts.length > 0 ? { InstanceCount: Math.max(...counts) } : {}),
    VolumeKmsKeyId: config.VolumeKmsKeyId,
    InstanceGroups: types.map((type) => ({ InstanceType: type, InstanceCount: 0 })),
  };
}

/** The settings of one training job definition that the training controls read. */
function settingsOf(definition: HyperParameterTrainingJobDefinition, resources: ResourceConfig | undefined): TrainingSettings {
  return {
    EnableNetworkIsolation: definition.EnableNetworkIsolation,
    VpcConfig: definition.VpcConfig,
    EnableInterContainerTrafficEncryption: definition.EnableInterContainerTrafficEncryption,
    ResourceConfig: resources,
    OutputDataConfig: definition.OutputDataConfig,
    StoppingCondition: definition.StoppingCondition,
  };
}

/**
 * Every training job definition of the tuning job, as the training controls read it: TrainingJobDefinition and each
 * of TrainingJobDefinitions, labelled by DefinitionName. A definition with both a ResourceConfig and a
 * HyperParameterTuningResourceConfig (the API takes one) is checked with each. A tuning job that shows no definition
 * at all fails: nothing shows how its training jobs run.
 */
export function trainingDefinitions(job: HyperParameterTuningJob): Part<TrainingSettings>[] {
  const definitions: { label: string; definition: HyperParameterTrainingJobDefinition }[] = [
    ...(job.TrainingJobDefinition !== undefined ? [{ label: job.TrainingJobDefinition.DefinitionName ?? 'TrainingJobDefinition', definition: job.TrainingJobDefinition }] : []),
    ...(job.TrainingJobDefinitions ?? []).map((definition, index) => ({ label: definition.DefinitionName ?? `TrainingJobDefinitions[${index}]`, definition })),
  ];
  if (definitions.length === 0) {
    return [{ label: 'the tuning job', value: undefined, missing: 'shows neither TrainingJobDefinition nor TrainingJobDefinitions, so nothing shows how its training jobs run' }];
  }
  return definitions.flatMap(({ label, definition }): Part<TrainingSettings>[] => {
    const { ResourceConfig: plain, HyperParameterTuningResourceConfig: tuning } = definition;
    if (plain !== undefined && tuning !== undefined) {
      return [
        { label: `${label} (ResourceConfig)`, value: settingsOf(definition, plain) },
        { label: `${label} (HyperParameterTuningResourceConfig)`, value: settingsOf(definition, tuningResourceConfig(tuning)) },
      ];
    }
    if (tuning !== undefined) return [{ label: `${label} (HyperParameterTuningResourceConfig)`, value: settingsOf(definition, tuningResourceConfig(tuning)) }];
    return [{ label, value: settingsOf(definition, plain) }];
  });
}

const FIXES: Readonly<Record<string, string>> = {
  'network-isolation': `${RECREATE} EnableNetworkIsolation=true.`,
  vpc: `${RECREATE} a VpcConfig naming private subnets and security groups.`,
  'inter-container-encryption': `${RECREATE} EnableInterContainerTrafficEncryption=true.`,
  'volume-kms-key': `${RECREATE} ResourceConfig.VolumeKmsKeyId (or HyperParameterTuningResourceConfig.VolumeKmsKeyId) set to a customer managed KMS key (instance types with local instance storage take none).`,
  'output-kms-key': `${RECREATE} OutputDataConfig.KmsKeyId set to a customer managed KMS key.`,
  'max-runtime': `${RECREATE} StoppingCondition.MaxRuntimeInSeconds at most the configured bound (it bounds each training job the tuning job runs).`,
  'instance-type': `${RECREATE} only instance types (ResourceConfig, or every InstanceConfigs entry of HyperParameterTuningResourceConfig) from the training-job allow-list, kinds.training-job.allowedInstanceTypes: a tuning job runs training jobs.`,
  'allowed-network': `${RECREATE} a VpcConfig that uses only the subnets and security groups the policy allows.`,
};

const WHY: Readonly<Record<string, string>> = {
  'instance-type':
    'A tuning job runs training jobs, so the training-job allow-list (kinds.training-job.allowedInstanceTypes) keeps them on approved, budgeted hardware; every instance type a definition may run on is checked.',
};


/** The training controls (but their required tags: the tuning job has its own), over every training job definition. */
const definitionControls: Control<HyperParameterTuningJob>[] = derivedControls<HyperParameterTuningJob, TrainingSettings>(
  KIND,
  trainingJobControls.filter((control) => control.id !== 'training-job.required-tags'),
  trainingDefinitions,
  {
    title: (source) => `${source.title} in every training job definition`,
    fix: fixFrom(KIND, FIXES),
    // CreateHyperParameterTuningJob carries the keys of CreateTrainingJob: the training guardrails hold for it too.
    keepsPrevention: true,
    noParts: 'the tuning job shows no training job definition',
  },
).map((control) => ({ ...control, why: WHY[suffixOf(control.id)] ?? control.why }));

export const hyperParameterTuningJobControls: readonly Control<HyperParameterTuningJob>[] = [
  ...definitionControls,
  requiredTagsControl<HyperParameterTuningJob>(
    KIND,
    'Add the missing tags with aws sagemaker add-tags (tags can be added to an existing tuning job; the training jobs it launches next carry them); new tuning jobs should carry them from the start.',
  ),
];
