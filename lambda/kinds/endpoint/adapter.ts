import { DeleteEndpointCommand, DescribeEndpointCommand, paginateListEndpoints } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import { describeEndpointConfig, describeVariantModels } from '../endpoint-config/adapter';
import type { VariantModel } from '../endpoint-config/controls';
import type { KindAdapter } from '../types';
import type { Endpoint } from './controls';

function time(value: Date | undefined): number | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : undefined;
}

/**
 * A model created after the endpoint began running its config (see episodeTime) is not necessarily the one its
 * containers run: the running ones came from a model of that name that was deleted since. Scaling moves
 * LastModifiedTime without redeploying, so LastModifiedTime would trust a model re-created before a scaling.
 */
function trusted(models: readonly VariantModel[], deployed: number | undefined): VariantModel[] {
  return models.map((entry) => {
    const created = time(entry.model?.CreationTime);
    if (deployed === undefined || created === undefined || created <= deployed) return entry;
    return {
      name: entry.name,
      model: undefined,
      missing: `was created again (${new Date(created).toISOString()}) after the endpoint began running its config (${new Date(deployed).toISOString()}), so its settings are not necessarily the ones the endpoint runs`,
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
function episodeTime(endpoint: Endpoint['endpoint'], config: Endpoint['config']): number | undefined {
  const times = [time(endpoint.CreationTime), time(config?.CreationTime)].filter((value): value is number => value !== undefined);
  return times.length === 0 ? undefined : Math.max(...times);
}

/**
 * The episode key: that time and the config's name, so that a move to another config (even one created before the
 * endpoint) is a new episode with a notice of its own. The ledger's estate check reads the time before the '#'.
 */
function episodeFor(endpoint: Endpoint['endpoint'], config: Endpoint['config']): string {
  const began = episodeTime(endpoint, config);
  const at = began === undefined ? episodeOf() : episodeOf(new Date(began));
  return `${at}#${endpoint.EndpointConfigName ?? ''}`;
}

export const endpointAdapter: KindAdapter<Endpoint> = {
  async describe(name) {
    const endpoint = await describeOrUndefined(() => sageMaker().send(new DescribeEndpointCommand({ EndpointName: name })));
    if (endpoint === undefined) return undefined;
    const configName = endpoint.EndpointConfigName;
    const config = configName === undefined || configName === '' ? undefined : await describeEndpointConfig(configName);
    const models = config === undefined ? [] : trusted(await describeVariantModels(config), episodeTime(endpoint, config));
    return {
      resource: { endpoint, config, models },
      arn: endpoint.EndpointArn ?? '',
      status: endpoint.EndpointStatus,
      episode: episodeFor(endpoint, config),
    };
  },
  act: (name) => actOn('DeleteEndpoint', () => sageMaker().send(new DeleteEndpointCommand({ EndpointName: name }))),
  /** Filtered by the service (StatusEquals=InService); with `since`, every endpoint created after it, in any status. */
  list: (options) =>
    pagesOf(
      paginateListEndpoints(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InService' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.Endpoints?.map((summary) => summary.EndpointName),
    ),
};
