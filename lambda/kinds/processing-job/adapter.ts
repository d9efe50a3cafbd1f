import { DescribeProcessingJobCommand, paginateListProcessingJobs, StopProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { ProcessingJob } from './controls';

export const processingJobAdapter: KindAdapter<ProcessingJob> = {
  async describe(name) {
    // A missing job is ValidationException "Could not find requested job with name: ..." (or ResourceNotFound): undefined.
    const job = await describeOrUndefined(() => sageMaker().send(new DescribeProcessingJobCommand({ ProcessingJobName: name })));
    if (job === undefined) return undefined;
    // No partOf: a job that a pipeline, a monitoring schedule, an AutoML job or a training job (Debugger rules)
    // launched carries settings of its own, which no other kind's controls cover.
    return { resource: job, arn: job.ProcessingJobArn ?? '', status: job.ProcessingJobStatus, episode: episodeOf(job.CreationTime) };
  },
  act: (name) => actOn('StopProcessingJob', () => sageMaker().send(new StopProcessingJobCommand({ ProcessingJobName: name }))),
  /**
   * Filtered by the service (StatusEquals=InProgress): only the running jobs are listed. With `since`, every
   * job created after it, in any status (a historical report).
   */
  list: (options) =>
    pagesOf(
      paginateListProcessingJobs(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InProgress' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.ProcessingJobSummaries?.map((summary) => summary.ProcessingJobName),
    ),
};
