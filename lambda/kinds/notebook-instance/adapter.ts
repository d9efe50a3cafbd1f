import { DescribeNotebookInstanceCommand, paginateListNotebookInstances, StopNotebookInstanceCommand } from '@aws-sdk/client-sagemaker';
import { sageMaker } from '../../aws/clients';
import { actOn, describeOrUndefined, episodeOf, LIST_PAGE_SIZE, pagingOf, pagesOf } from '../../aws/sagemaker';
import type { KindAdapter } from '../types';
import type { NotebookInstance } from './controls';
import { readNotebookNetwork } from './network';

export const notebookInstanceAdapter: KindAdapter<NotebookInstance> = {
  async describe(name) {
    const notebook = await describeOrUndefined(() => sageMaker().send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })));
    if (notebook === undefined) return undefined;
    const subnetId = notebook.SubnetId;
    const network = subnetId === undefined || subnetId === '' ? undefined : await readNotebookNetwork(subnetId, notebook.SecurityGroups ?? []);
    return {
      resource: { notebook, ...(network !== undefined ? { network } : {}) },
      arn: notebook.NotebookInstanceArn ?? '',
      status: notebook.NotebookInstanceStatus,
      episode: episodeOf(notebook.LastModifiedTime, notebook.CreationTime),
    };
  },
  act: (name) => actOn('StopNotebookInstance', () => sageMaker().send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }))),
  /** Every notebook, in any status: a stopped one is judged when it starts, and listed in the audit. */
  list: (options) =>
    pagesOf(paginateListNotebookInstances(pagingOf(options), { MaxResults: LIST_PAGE_SIZE }), (page) =>
      page.NotebookInstances?.map((summary) => summary.NotebookInstanceName),
    ),
};
