import { DeleteModelCommand, DescribeModelCommand, paginateListModels } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { endpointsServing } from '../../aws/endpoints';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { Model } from './controls';

export const modelAdapter: KindAdapter<Model> = {
  async describe(name) {
    const model = await describeOrUndefined(() => sageMaker().send(new DescribeModelCommand({ ModelName: name })));
    if (model === undefined) return undefined;
    return { resource: model, arn: model.ModelArn ?? '', status: undefined, episode: episodeOf(model.CreationTime) };
  },
  act: (name) => actOn('DeleteModel', () => sageMaker().send(new DeleteModelCommand({ ModelName: name }))),
  list: (options) => pagesOf(paginateListModels(pagingOf(options), { MaxResults: LIST_PAGE_SIZE }), (page) => page.Models?.map((summary) => summary.ModelName)),
  /** DeleteModel leaves every endpoint built from the model serving: the notice names them. */
  async notes(name) {
    const serving = await endpointsServing({ model: name });
    return serving.length === 0
      ? ['No endpoint serves this model.']
      : [`Endpoints still serving this model (deleting a model does not stop them; the endpoint controls judge them): ${serving.join(', ')}.`];
  },
};
