import { DeleteEndpointCommand, DescribeEndpointCommand, paginateListEndpoints } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagesOf } from '../../aws/sagemaker';
import { describeEndpointConfig, describeVariantModels } from '../endpoint-config/adapter';
import type { VariantModel } from '../endpoint-config/controls';
import type { KindAdapter } from '../types';
import type { Endpoint } from './controls';

function time(value: Date | undefined): number | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : undefined;
}

/**
 * A model created after the endpoint last changed (LastModifiedTime: a deployment, an update, a scaling) is not
 * necessarily the one its containers run: the running ones came from a model of that name that was deleted since.
 */
function trusted(models: readonly VariantModel[], lastModified: Date | undefined): VariantModel[] {
  const changed = time(lastModified);
  return models.map((entry) => {
    const created = time(entry.model?.CreationTime);
    if (changed === undefined || created === undefined || created <= changed) return entry;
    return {
      name: entry.name,
      model: undefined,
      missing: `was created again (${new Date(created).toISOString()}) after the endpoint last changed (${new Date(changed).toISOString()}), so its settings are not necessarily the ones the endpoint runs`,
    };
  });
}

/**
 * The episode: when the endpoint began running the config it runs, as near as Describe tells, i.e. the later of its
 * CreationTime and its config's. An UpdateEndpoint to a new config (configs cannot be changed, so a new setup is a
 * new config) is a new episode; autoscaling (UpdateEndpointWeightsAndCapacities) is not. LastModifiedTime would make
 * every scaling a new episode: a new notice each time, and a serving endpoint that was there before the guard
 * enforced would leave the existing estate (and be deleted) the first time it scaled.
 */
function episodeFor(endpoint: Endpoint['endpoint'], config: Endpoint['config']): string {
  const times = [time(endpoint.CreationTime), time(config?.CreationTime)].filter((value): value is number => value !== undefined);
  return times.length === 0 ? episodeOf() : episodeOf(new Date(Math.max(...times)));
}

export const endpointAdapter: KindAdapter<Endpoint> = {
  async describe(name) {
    const endpoint = await describeOrUndefined(() => sageMaker.send(new DescribeEndpointCommand({ EndpointName: name })));
    if (endpoint === undefined) return undefined;
    const configName = endpoint.EndpointConfigName;
    const config = configName === undefined || configName === '' ? undefined : await describeEndpointConfig(configName);
    const models = config === undefined ? [] : trusted(await describeVariantModels(config), endpoint.LastModifiedTime);
    return {
      resource: { endpoint, config, models },
      arn: endpoint.EndpointArn ?? '',
      status: endpoint.EndpointStatus,
      episode: episodeFor(endpoint, config),
    };
  },
  act: (name) => actOn('DeleteEndpoint', () => sageMaker.send(new DeleteEndpointCommand({ EndpointName: name }))),
  /** Filtered by the service (StatusEquals=InService); with `since`, every endpoint created after it, in any status. */
  list: (options) =>
    pagesOf(
      paginateListEndpoints(
        { client: sageMaker, pageSize: LIST_PAGE_SIZE },
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InService' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.Endpoints?.map((summary) => summary.EndpointName),
    ),
};
