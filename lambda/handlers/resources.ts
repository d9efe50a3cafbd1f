import type { ResourceByKind } from '../controls/catalog';
import type { ActionResult } from '../core/decision';
import type { ResourceKind } from '../core/kinds';
import { readNotebookNetwork } from '../aws/ec2';
import {
  deleteModel,
  describeModel,
  describeNotebookInstance,
  describeTrainingJob,
  stopNotebookInstance,
  stopTrainingJob,
} from '../aws/sagemaker';

export interface Described<K extends ResourceKind> {
  readonly resource: ResourceByKind[K];
  readonly arn: string;
  /** Undefined for kinds without a status (models). */
  readonly status: string | undefined;
  /**
   * Which state of the resource a decision is about, so that the ledger tells a duplicate event from a
   * new occasion to act: a notebook restarted after the guard stopped it is a new episode (its
   * LastModifiedTime moved); a model re-created under the same name is one too (a new CreationTime).
   */
  readonly episode: string;
}

/** An ISO time from Describe* output (the SDK gives Dates), or `unknown`. */
export function episodeOf(...times: readonly (Date | undefined)[]): string {
  const time = times.find((candidate) => candidate instanceof Date && !Number.isNaN(candidate.getTime()));
  return time === undefined ? 'unknown' : time.toISOString();
}

/** How the pipeline reaches one kind of resource: describe it, and apply the kind's action. */
export interface ResourceAccess<K extends ResourceKind> {
  describe(name: string): Promise<Described<K> | undefined>;
  act(name: string): Promise<ActionResult>;
}

export const trainingJobAccess: ResourceAccess<'training-job'> = {
  async describe(name) {
    const job = await describeTrainingJob(name);
    if (job === undefined) return undefined;
    return { resource: job, arn: job.TrainingJobArn ?? '', status: job.TrainingJobStatus, episode: episodeOf(job.CreationTime) };
  },
  act: stopTrainingJob,
};

export const modelAccess: ResourceAccess<'model'> = {
  async describe(name) {
    const model = await describeModel(name);
    if (model === undefined) return undefined;
    return { resource: model, arn: model.ModelArn ?? '', status: undefined, episode: episodeOf(model.CreationTime) };
  },
  act: deleteModel,
};

export const notebookInstanceAccess: ResourceAccess<'notebook-instance'> = {
  async describe(name) {
    const notebook = await describeNotebookInstance(name);
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
  act: stopNotebookInstance,
};
