import { DeleteEndpointConfigCommand, DescribeEndpointConfigCommand, DescribeModelCommand, paginateListEndpointConfigs } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { endpointsServing, variantModels } from '../../aws/endpoints';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { EndpointConfig, EndpointConfigDescription, VariantModel } from './controls';
import { clearEndpointScan, endpointsUsing } from './in-use';

/** The status the adapter gives an endpoint config (the API gives none): whether an endpoint uses it. */
export const IN_USE = 'InUse';
export const UNUSED = 'Unused';

/** DescribeEndpointConfig; undefined when it does not exist (any more). */
export function describeEndpointConfig(name: string): Promise<EndpointConfigDescription | undefined> {
  return describeOrUndefined(() => sageMaker().send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
}

/** DescribeModel of every distinct model of the config's production and shadow variants (undefined: no such model). */
export function describeVariantModels(config: EndpointConfigDescription): Promise<VariantModel[]> {
  return Promise.all(
    variantModels(config).map(async (name): Promise<VariantModel> => ({ name, model: await describeOrUndefined(() => sageMaker().send(new DescribeModelCommand({ ModelName: name }))) })),
  );
}

/** Why a config in use is not deleted, for the notice. */
export function inUseReason(endpoints: readonly string[]): string {
  const which = endpoints.length === 1 ? `endpoint ${endpoints[0] ?? ''} uses it` : `endpoints ${endpoints.join(', ')} use it`;
  return (
    `${which}, and the guard never deletes an endpoint config in use (the endpoint would keep serving, but its updates, ` +
    `rollbacks and scaling would break). The guard deletes it, and tells you, once no endpoint uses it; the endpoint kind judges the endpoint itself.`
  );
}

export const endpointConfigAdapter: KindAdapter<EndpointConfig> = {
  async describe(name) {
    const config = await describeEndpointConfig(name);
    if (config === undefined) return undefined;
    // The endpoint scan is memoized (see in-use.ts): a sweep over every config lists and describes the endpoints once.
    const [models, users] = await Promise.all([describeVariantModels(config), endpointsUsing(name)]);
    const status = users.length > 0 ? IN_USE : UNUSED;
    return {
      resource: { config, models },
      arn: config.EndpointConfigArn ?? '',
      status,
      // A config cannot be changed, so its creation is its episode (one re-created under the name is a new one), and
      // whether an endpoint uses it: a config told about while in use (never deleted then) is deleted, and told
      // again, once its endpoints have left it. The ledger's estate check reads the time before the '#'.
      episode: `${episodeOf(config.CreationTime)}#${status}`,
    };
  },
  /**
   * Deletes only a config no endpoint uses: deleting the config of a running endpoint leaves it serving but breaks
   * its updates, rollbacks and scaling. A CreateEndpoint or UpdateEndpoint may have taken the config since it was
   * described, so the endpoints are read again (not from the memoized scan) right before the delete.
   */
  async act(name) {
    const users = await endpointsServing({ endpointConfig: name });
    if (users.length > 0) {
      clearEndpointScan();
      return { type: 'wrong-state', status: IN_USE, reason: inUseReason(users) };
    }
    return actOn('DeleteEndpointConfig', () => sageMaker().send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })));
  },
  /** Every config (or those created after `since`): ListEndpointConfigs has no status to filter on, a config having none. */
  list: (options) =>
    pagesOf(
      paginateListEndpointConfigs(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : {}), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.EndpointConfigs?.map((summary) => summary.EndpointConfigName),
    ),
};
