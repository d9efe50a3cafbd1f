import { DescribeTrainingJobCommand, paginateListTrainingJobs, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, nameAfter, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { TrainingJob } from './controls';

export const trainingJobAdapter: KindAdapter<TrainingJob> = {
  async describe(name) {
    const job = await describeOrUndefined(() => sageMaker().send(new DescribeTrainingJobCommand({ TrainingJobName: name })));
    if (job === undefined) return undefined;
    // A job a tuning job launched is judged, stopped and told about with its tuning job (one notice, not one per child).
    const tuningJob = nameAfter(job.TuningJobArn, 'hyper-parameter-tuning-job/');
    return {
      resource: job,
      arn: job.TrainingJobArn ?? '',
      status: job.TrainingJobStatus,
      episode: episodeOf(job.CreationTime),
      ...(tuningJob !== undefined ? { partOf: { kind: 'hyper-parameter-tuning-job', name: tuningJob } } : {}),
    };
  },
  act: (name) => actOn('StopTrainingJob', () => sageMaker().send(new StopTrainingJobCommand({ TrainingJobName: name }))),
  /**
   * Filtered by the service (StatusEquals=InProgress): an account with 500,000 finished jobs lists only the
   * running ones. With `since`, every job created after it, in any status (a historical report).
   */
  list: (options) =>
    pagesOf(
      paginateListTrainingJobs(
        pagingOf(options),
        { ...(options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InProgress' }), MaxResults: LIST_PAGE_SIZE },
      ),
      (page) => page.TrainingJobSummaries?.map((summary) => summary.TrainingJobName),
    ),
};
