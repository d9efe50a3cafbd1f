import { DescribeHyperParameterTuningJobCommand, paginateListHyperParameterTuningJobs, StopHyperParameterTuningJobCommand } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { HyperParameterTuningJob } from './controls';

export const hyperParameterTuningJobAdapter: KindAdapter<HyperParameterTuningJob> = {
  async describe(name) {
    const job = await describeOrUndefined(() => sageMaker().send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name })));
    if (job === undefined) return undefined;
    return { resource: job, arn: job.HyperParameterTuningJobArn ?? '', status: job.HyperParameterTuningJobStatus, episode: episodeOf(job.CreationTime) };
  },
  /** Stops the tuning job and every training job it launched that is still running (one call, one notice). */
  act: (name) => actOn('StopHyperParameterTuningJob', () => sageMaker().send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }))),
  /** The running tuning jobs (StatusEquals=InProgress, filtered by the service); with `since`, every one created after it. */
  list: (options) =>
    pagesOf(
      paginateListHyperParameterTuningJobs(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InProgress' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.HyperParameterTuningJobSummaries?.map((summary) => summary.HyperParameterTuningJobName),
    ),
};
