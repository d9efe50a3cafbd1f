import { DescribeModelCommand, DescribeTransformJobCommand, paginateListTransformJobs, StopTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { TransformJob } from './controls';

export const transformJobAdapter: KindAdapter<TransformJob> = {
  /** The job and the model it runs (its network settings are the model's); a model that is gone is `undefined`. */
  async describe(name) {
    const job = await describeOrUndefined(() => sageMaker().send(new DescribeTransformJobCommand({ TransformJobName: name })));
    if (job === undefined) return undefined;
    const modelName = job.ModelName;
    const model = modelName === undefined || modelName === '' ? undefined : await describeOrUndefined(() => sageMaker().send(new DescribeModelCommand({ ModelName: modelName })));
    return {
      resource: { job, model },
      arn: job.TransformJobArn ?? '',
      status: job.TransformJobStatus,
      episode: episodeOf(job.CreationTime),
    };
  },
  act: (name) => actOn('StopTransformJob', () => sageMaker().send(new StopTransformJobCommand({ TransformJobName: name }))),
  /** The running jobs (StatusEquals=InProgress, filtered by the service); with `since`, every job created after it. */
  list: (options) =>
    pagesOf(
      paginateListTransformJobs(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InProgress' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.TransformJobSummaries?.map((summary) => summary.TransformJobName),
    ),
};
