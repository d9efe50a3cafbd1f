/**
 * Which endpoints use an endpoint config or serve a model. SageMaker has no reverse lookup: ListEndpoints,
 * then DescribeEndpoint (its config, and the one an update is deploying) and DescribeEndpointConfig (the models
 * of its production and shadow variants), with bounded concurrency. Used when a notice is owed or before an
 * endpoint config is deleted, never per event otherwise.
 */
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, paginateListEndpoints, type EndpointStatus } from '@aws-sdk/client-sagemaker';
import { PromisePool } from '@supercharge/promise-pool';
import { sageMaker } from './clients';
import { describeOrUndefined, LIST_PAGE_SIZE } from './sagemaker';

/** Endpoints in these statuses serve no traffic and are on their way out. */
const NOT_SERVING: ReadonlySet<EndpointStatus | undefined> = new Set<EndpointStatus | undefined>(['Deleting', 'Failed']);
const CONCURRENCY = 5;

export interface Using {
  readonly endpointConfig?: string;
  readonly model?: string;
}

/** The models an endpoint config's variants (production and shadow) run. */
export function variantModels(config: { readonly ProductionVariants?: readonly { readonly ModelName?: string | undefined }[] | undefined; readonly ShadowProductionVariants?: readonly { readonly ModelName?: string | undefined }[] | undefined }): string[] {
  const names = [...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])].map((variant) => variant.ModelName);
  return [...new Set(names.filter((name): name is string => name !== undefined && name !== ''))];
}

/** Names of the endpoints (not being deleted, not failed) that use the endpoint config or serve the model. */
export async function endpointsServing(using: Using): Promise<string[]> {
  const endpoints: string[] = [];
  for await (const page of paginateListEndpoints({ client: sageMaker(), pageSize: LIST_PAGE_SIZE }, { MaxResults: LIST_PAGE_SIZE })) {
    for (const summary of page.Endpoints ?? []) {
      if (summary.EndpointName !== undefined && !NOT_SERVING.has(summary.EndpointStatus)) endpoints.push(summary.EndpointName);
    }
  }
  const configModels = new Map<string, Promise<string[]>>();
  const modelsOf = (configName: string): Promise<string[]> => {
    let models = configModels.get(configName);
    if (models === undefined) {
      models = describeOrUndefined(() => sageMaker().send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))).then((config) =>
        config === undefined ? [] : variantModels(config),
      );
      configModels.set(configName, models);
    }
    return models;
  };
  const { results, errors } = await PromisePool.withConcurrency(CONCURRENCY)
    .for(endpoints)
    .process(async (name): Promise<string | undefined> => {
      const endpoint = await describeOrUndefined(() => sageMaker().send(new DescribeEndpointCommand({ EndpointName: name })));
      if (endpoint === undefined) return undefined;
      const configs = [endpoint.EndpointConfigName, endpoint.PendingDeploymentSummary?.EndpointConfigName].filter((config): config is string => config !== undefined);
      if (using.endpointConfig !== undefined && configs.includes(using.endpointConfig)) return name;
      if (using.model !== undefined) {
        for (const config of configs) if ((await modelsOf(config)).includes(using.model)) return name;
      }
      return undefined;
    });
  // A lookup that failed part-way must not read as "no endpoint": the caller says it could not tell.
  if (errors.length > 0) throw errors[0]?.raw ?? new Error('an endpoint lookup failed');
  return results.filter((name): name is string => name !== undefined).sort();
}
