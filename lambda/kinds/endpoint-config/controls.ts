import type { DescribeEndpointConfigCommandOutput, ProductionVariant } from '@aws-sdk/client-sagemaker';
import { instanceTypeControl, checkKmsKey, checkVolumeKmsKey, derivedControls, fixFrom, hasInstanceStorage, requiredTagsControl, type Part } from '../../controls/blocks';
import { skip, type CheckResult, type CheckSettings, type Control } from '../../controls/types';
import { modelControls, type Model } from '../model/controls';

export type EndpointConfigDescription = Omit<DescribeEndpointConfigCommandOutput, '$metadata'>;

/** One distinct model that a production or shadow variant of the config runs. */
export interface VariantModel {
  readonly name: string;
  /** DescribeModel of `name`; undefined when that model does not exist (or, for an endpoint, cannot be trusted: `missing`). */
  readonly model: Model | undefined;
  /** Why `model` is undefined, when it is not simply "does not exist". */
  readonly missing?: string;
}

/**
 * What the endpoint config controls read: DescribeEndpointConfig, and DescribeModel of every distinct model of its
 * ProductionVariants and ShadowProductionVariants (the network settings a config's endpoint runs with are its models').
 */
export interface EndpointConfig {
  readonly config: EndpointConfigDescription;
  readonly models: readonly VariantModel[];
}

const KIND = 'endpoint-config';
/** An endpoint config cannot be changed: the fix is a new one, and an endpoint moves to it with UpdateEndpoint. */
const RECREATE = 'An endpoint config cannot be changed: create a new one (CreateEndpointConfig) with';
const THEN_UPDATE = 'and move any endpoint to it with UpdateEndpoint (then delete the old config).';

/** Production and shadow variants: a shadow variant receives a copy of the live traffic, so it holds the same data. */
export function variantsOf(config: EndpointConfigDescription): readonly ProductionVariant[] {
  return [...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])];
}

/** The instance types of the instance-based variants (serverless variants have none). */
export function variantInstanceTypes(config: EndpointConfigDescription): string[] {
  return [...new Set(variantsOf(config).flatMap((variant) => (variant.InstanceType !== undefined ? [variant.InstanceType] : [])))];
}

/**
 * The volume key: CreateEndpointConfig refuses a KmsKeyId when ANY variant runs on an instance type with local
 * instance storage (encrypted by hardware), unlike training, where each instance decides. So a config with such a
 * variant and no key is skipped, one with a key is still held to the allow-list.
 */
function checkConfigVolumeKey(resource: EndpointConfig, settings: CheckSettings): CheckResult {
  // Only the instance-storage types decide: with none of them, no type excuses a missing key.
  const local = variantInstanceTypes(resource.config).filter(hasInstanceStorage);
  return checkVolumeKmsKey(resource.config.KmsKeyId, 'KmsKeyId', local, settings);
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** Each distinct variant model as a part for the model controls; a model that does not exist fails them. */
export function modelParts(resource: EndpointConfig): Part<Model>[] {
  // A config for inference components names no model in its variants: its own EnableNetworkIsolation and VpcConfig
  // apply to every container deployed to its endpoint (DescribeEndpointConfig), so the model controls judge those.
  if (resource.models.length === 0 && (resource.config.ProductionVariants ?? []).length > 0) {
    const { EnableNetworkIsolation, VpcConfig } = resource.config;
    const own: Model = { ModelName: resource.config.EndpointConfigName, ModelArn: resource.config.EndpointConfigArn, CreationTime: resource.config.CreationTime, EnableNetworkIsolation, VpcConfig };
    return [{ label: 'the endpoint config itself (inference components: no variant names a model)', value: own }];
  }
  return resource.models.map((entry) => ({
    label: `model ${entry.name}`,
    value: entry.model,
    ...(entry.model === undefined
      ? { missing: entry.missing ?? 'does not exist (DescribeModel: not found), so nothing shows how the containers an endpoint runs from this config are networked' }
      : {}),
  }));
}

const NEW_MODEL = 'A model cannot be changed either: create a model with';
const MODEL_FIX: Readonly<Record<string, string>> = {
  'network-isolation': `${NEW_MODEL} EnableNetworkIsolation=true (CLI --enable-network-isolation), a new endpoint config whose variants run it, ${THEN_UPDATE} Serverless variants do not support network isolation. The preventive gate is sagemaker:NetworkIsolation on CreateModel.`,
  vpc: `${NEW_MODEL} a VpcConfig naming private subnets and security groups, a new endpoint config whose variants run it, ${THEN_UPDATE} Serverless variants do not support a VPC. The preventive gate is sagemaker:VpcSubnets / sagemaker:VpcSecurityGroupIds on CreateModel.`,
  'allowed-network': `${NEW_MODEL} a VpcConfig that uses only the allowed subnets and security groups, a new endpoint config whose variants run it, ${THEN_UPDATE}`,
};

/** The model controls (but their required tags: the config has its own) over every distinct variant model. */
const modelDerived: Control<EndpointConfig>[] = derivedControls<EndpointConfig, Model>(
  KIND,
  modelControls.filter((control) => control.id !== 'model.required-tags'),
  modelParts,
  {
    idPrefix: 'model-',
    title: (source) => `Variant models: ${lowerFirst(source.title)}`,
    fix: fixFrom(KIND, MODEL_FIX),
    // CreateEndpointConfig carries no network condition keys (only sagemaker:ModelArn): the gate is on CreateModel.
    keepsPrevention: false,
    noParts: 'no variant names a model (an endpoint config for inference components: its models are the components\')',
  },
);

export const endpointConfigControls: readonly Control<EndpointConfig>[] = [
  {
    id: 'endpoint-config.kms-key',
    kind: KIND,
    title: 'Storage volume encrypted with a customer KMS key',
    why: 'The ML storage volumes of the hosting instances hold the model artifacts and whatever the containers write; a customer managed key lets you control, audit and revoke access to them.',
    severity: 'medium',
    fix: `${RECREATE} KmsKeyId set to a customer managed KMS key (leave it out only when a variant uses an instance type with local instance storage, which SageMaker encrypts by hardware and for which it refuses a key), ${THEN_UPDATE}`,
    prevent: { rule: 'kms-key', key: 'sagemaker:VolumeKmsKeyArn', storageExempt: true },
    check: (resource, { settings }) => checkConfigVolumeKey(resource, settings),
  },
  {
    id: 'endpoint-config.data-capture-kms-key',
    kind: KIND,
    title: 'Captured data encrypted with a customer KMS key',
    why: 'Data capture writes the requests and responses of the endpoint to S3: the inference data itself, which a customer managed key keeps under your control.',
    severity: 'medium',
    fix: `${RECREATE} DataCaptureConfig.KmsKeyId set to a customer managed KMS key, ${THEN_UPDATE}`,
    check: (resource, { settings }) => {
      const capture = resource.config.DataCaptureConfig;
      // The API requires DestinationS3Uri with a DataCaptureConfig: one without it (an emulator's {}) captures nothing.
      if (capture === undefined || (capture.DestinationS3Uri ?? '') === '') return skip('no DataCaptureConfig: the endpoint captures no data');
      if (capture.EnableCapture === false) return skip('DataCaptureConfig.EnableCapture is false: no data is captured');
      return checkKmsKey(capture.KmsKeyId, 'DataCaptureConfig.KmsKeyId', settings);
    },
  },
  {
    id: 'endpoint-config.async-output-kms-key',
    kind: KIND,
    title: 'Asynchronous inference output encrypted with a customer KMS key',
    why: 'An asynchronous endpoint writes every inference result (and failure) to S3; a customer managed key keeps that output under your control.',
    severity: 'medium',
    fix: `${RECREATE} AsyncInferenceConfig.OutputConfig.KmsKeyId set to a customer managed KMS key, ${THEN_UPDATE}`,
    check: (resource, { settings }) => {
      const async = resource.config.AsyncInferenceConfig;
      if (async === undefined) return skip('no AsyncInferenceConfig: not an asynchronous endpoint config');
      return checkKmsKey(async.OutputConfig?.KmsKeyId, 'AsyncInferenceConfig.OutputConfig.KmsKeyId', settings);
    },
  },
  instanceTypeControl<EndpointConfig>(KIND, {
    title: 'Instance types allowed',
    why: 'An allow-list keeps endpoints on approved, budgeted hardware.',
    fix: `${RECREATE} variants whose InstanceType is on the allow-list (kinds.endpoint-config.allowedInstanceTypes), ${THEN_UPDATE}`,
    types: (resource) => variantInstanceTypes(resource.config),
    first: (resource, context) => {
      const variants = variantsOf(resource.config);
      // A variant that names an instance type runs on it, whatever else it says.
      const serverlessOnly = variants.length > 0 && variants.every((variant) => variant.ServerlessConfig !== undefined && variant.InstanceType === undefined);
      return context.settings.kinds[KIND]?.allowedInstanceTypes !== undefined && serverlessOnly ? skip('serverless variants only: they run on no instance type') : undefined;
    },
  }),
  ...modelDerived,
  requiredTagsControl<EndpointConfig>(KIND, 'Add the missing tags with aws sagemaker add-tags (an existing endpoint config can be tagged); a config that was deleted is created again with them (CreateEndpointConfig --tags).'),
];
