import { paginateListModels, paginateListNotebookInstances, paginateListTrainingJobs } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../aws/clients';
import type { ResourceKind } from '../core/kinds';

export interface ListOptions {
  /** Training jobs created after this time, in any status (a historical report); otherwise only InProgress ones. */
  readonly since?: Date;
}

const PAGE_SIZE = 100;

/**
 * Names of the resources worth checking, a page at a time, so memory stays bounded whatever the account
 * holds. Training jobs are filtered by the service (StatusEquals=InProgress): an account with 500,000
 * finished jobs lists only the running ones. Notebooks (any status) and models are listed whole.
 */
export async function* listNames(kind: ResourceKind, options: ListOptions = {}): AsyncGenerator<string[]> {
  const config = { client: sageMaker, pageSize: PAGE_SIZE };
  switch (kind) {
    case 'training-job': {
      const filter = options.since !== undefined ? { CreationTimeAfter: options.since } : { StatusEquals: 'InProgress' as const };
      for await (const page of paginateListTrainingJobs(config, { ...filter, MaxResults: PAGE_SIZE })) {
        yield (page.TrainingJobSummaries ?? []).flatMap((summary) => (summary.TrainingJobName !== undefined ? [summary.TrainingJobName] : []));
      }
      return;
    }
    case 'model':
      for await (const page of paginateListModels(config, { MaxResults: PAGE_SIZE })) {
        yield (page.Models ?? []).flatMap((summary) => (summary.ModelName !== undefined ? [summary.ModelName] : []));
      }
      return;
    case 'notebook-instance':
      for await (const page of paginateListNotebookInstances(config, { MaxResults: PAGE_SIZE })) {
        yield (page.NotebookInstances ?? []).flatMap((summary) => (summary.NotebookInstanceName !== undefined ? [summary.NotebookInstanceName] : []));
      }
      return;
  }
}
