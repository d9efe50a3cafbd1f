import type { DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker';
import { derivedControls, requiredTagsControl, type Part } from '../../controls/blocks';
import type { CheckContext, Control } from '../../controls/types';
import { endpointConfigControls, type EndpointConfig, type EndpointConfigDescription, type VariantModel } from '../endpoint-config/controls';

export type EndpointDescription = Omit<DescribeEndpointCommandOutput, '$metadata'>;

/**
 * What the endpoint controls read. An endpoint's settings are its endpoint config's and its models': the adapter
 * describes the config it runs (EndpointConfigName) and every distinct model of that config's variants.
 */
export interface Endpoint {
  readonly endpoint: EndpointDescription;
  /** DescribeEndpointConfig of endpoint.EndpointConfigName; undefined when that config no longer exists. */
  readonly config: EndpointConfigDescription | undefined;
  /** As for an endpoint config; a model re-created after the endpoint last changed is `missing` (not trusted). */
  readonly models: readonly VariantModel[];
}

const KIND = 'endpoint';

/**
 * The endpoint's config as the one part the endpoint config controls run over. Nothing shows an endpoint is safe
 * when its config cannot be read: a config can be deleted while endpoints run it, and they keep serving.
 */
export function configPart(resource: Endpoint): Part<EndpointConfig> {
  const name = resource.endpoint.EndpointConfigName;
  if (name === undefined || name === '') {
    return { label: 'endpoint config (EndpointConfigName absent)', value: undefined, missing: 'DescribeEndpoint names no endpoint config, so nothing shows how the endpoint is set up' };
  }
  const label = `endpoint config ${name}`;
  if (resource.config === undefined) {
    return {
      label,
      value: undefined,
      missing: 'the endpoint runs an endpoint config that cannot be read (DescribeEndpointConfig: not found; a config can be deleted while endpoints run it), so nothing shows how the endpoint is set up',
    };
  }
  return { label, value: { config: resource.config, models: resource.models } };
}

const INSTANCE_TYPE = 'endpoint.instance-type';

/**
 * The allow-list the endpoint's instance types are held to: kinds.endpoint.allowedInstanceTypes when the policy has
 * one, else kinds.endpoint-config's (a config in use is judged only through its endpoints, so its list must reach them).
 */
function withEndpointAllowList(context: CheckContext): CheckContext {
  const { kinds } = context.settings;
  const allowed = kinds[KIND]?.allowedInstanceTypes ?? kinds['endpoint-config']?.allowedInstanceTypes;
  return { ...context, settings: { ...context.settings, kinds: { ...kinds, 'endpoint-config': { ...kinds['endpoint-config'], allowedInstanceTypes: allowed } } } };
}

/** The endpoint config controls (but its required tags: the endpoint has its own), over the config the endpoint runs. */
const configDerived: Control<Endpoint>[] = derivedControls<Endpoint, EndpointConfig>(
  KIND,
  endpointConfigControls.filter((control) => control.id !== 'endpoint-config.required-tags'),
  (resource) => [configPart(resource)],
  {
    fix: (source) => `The endpoint's settings are its endpoint config's. ${source.fix} UpdateEndpoint keeps the endpoint serving while it moves. The guard deletes an endpoint only where the policy enforces the endpoint controls (kinds.endpoint.mode: enforce); by default it reports.`,
    noParts: 'the endpoint names no endpoint config',
    // CreateEndpoint carries no condition key of its config's: the gate is CreateEndpointConfig (and CreateModel).
    keepsPrevention: false,
  },
).map((control) =>
  control.id === INSTANCE_TYPE
    ? {
        ...control,
        fix: `${control.fix} The allow-list is kinds.endpoint.allowedInstanceTypes, else kinds.endpoint-config.allowedInstanceTypes.`,
        check: (resource: Endpoint, context: CheckContext) => control.check(resource, withEndpointAllowList(context)),
        notApplicable: (context: CheckContext) => control.notApplicable?.(withEndpointAllowList(context)),
      }
    : control,
);

export const endpointControls: readonly Control<Endpoint>[] = [
  ...configDerived,
  requiredTagsControl<Endpoint>(KIND, 'Add the missing tags with aws sagemaker add-tags (an existing endpoint can be tagged); an endpoint that was deleted is created again with them (CreateEndpoint --tags).'),
];
