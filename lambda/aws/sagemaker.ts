import {
  AddTagsCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  paginateListTags,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { Model } from '../controls/model';
import type { TrainingJob } from '../controls/training-job';
import type { ActionResult } from '../core/decision';
import { KINDS } from '../core/kinds';
import type { Tag } from '../core/tags';
import { sageMaker } from './clients';
import { classifyError, errorName } from './errors';

/** Runs a Describe*; a resource that does not exist (any more) is `undefined`, not an error. */
async function describeOrUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (classifyError(error).type === 'not-found') return undefined;
    throw error;
  }
}

/**
 * Runs a Stop or Delete, mapping the expected refusals to results: gone, wrong state, and denied (an SCP,
 * a permissions boundary, a changed role), which no retry will fix. Anything else is thrown (retried).
 */
async function act(api: string, call: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await call();
    return { type: 'done' };
  } catch (error) {
    const kind = classifyError(error);
    if (kind.type === 'not-found') return { type: 'gone' };
    if (kind.type === 'wrong-state') return { type: 'wrong-state', status: kind.status };
    if (kind.type === 'access-denied') return { type: 'denied', errorName: errorName(error), permission: `sagemaker:${api}`, message: (error as Error).message };
    throw error;
  }
}

export const describeTrainingJob = (name: string): Promise<TrainingJob | undefined> =>
  describeOrUndefined(() => sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name })));

export const describeModel = (name: string): Promise<Model | undefined> =>
  describeOrUndefined(() => sageMaker.send(new DescribeModelCommand({ ModelName: name })));

export const describeNotebookInstance = (name: string) =>
  describeOrUndefined(() => sageMaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })));

export const stopTrainingJob = (name: string): Promise<ActionResult> =>
  act(KINDS['training-job'].api, () => sageMaker.send(new StopTrainingJobCommand({ TrainingJobName: name })));

export const stopNotebookInstance = (name: string): Promise<ActionResult> =>
  act(KINDS['notebook-instance'].api, () => sageMaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name })));

export const deleteModel = (name: string): Promise<ActionResult> =>
  act(KINDS.model.api, () => sageMaker.send(new DeleteModelCommand({ ModelName: name })));

/** All tags of a resource as a map; when a key repeats, the last value wins. */
export async function listTags(arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for await (const page of paginateListTags({ client: sageMaker }, { ResourceArn: arn })) {
    for (const tag of page.Tags ?? []) {
      if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }
  }
  return tags;
}

export async function addTags(arn: string, tags: readonly Tag[]): Promise<void> {
  await sageMaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [...tags] }));
}
