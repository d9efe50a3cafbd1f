/** What every kind's adapter shares: Describe* and Stop/Delete calls mapped to results, listings by page, tags. */
import { AddTagsCommand, paginateListTags } from '@aws-sdk/client-sagemaker';
import type { ActionResult, ListedPage, ListOptions } from '../kinds/types';
import type { Tag } from '../core/tags';
import { sageMaker } from './clients';
import { classifyError, errorName } from './errors';

/** Runs a Describe*; a resource that does not exist (any more) is `undefined`, not an error. */
export async function describeOrUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
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
export async function actOn(api: string, call: () => Promise<unknown>): Promise<ActionResult> {
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

/** An ISO time from Describe* output (the SDK gives Dates), or `unknown`. */
export function episodeOf(...times: readonly (Date | undefined)[]): string {
  const time = times.find((candidate) => candidate instanceof Date && !Number.isNaN(candidate.getTime()));
  return time === undefined ? 'unknown' : time.toISOString();
}

/** The name in an ARN after its resource type (`arn:...:hyper-parameter-tuning-job/NAME` with `hyper-parameter-tuning-job/`). */
export function nameAfter(arn: string | undefined, prefix: string): string | undefined {
  const at = arn?.indexOf(`:${prefix}`) ?? -1;
  if (arn === undefined || at < 0) return undefined;
  const name = arn.slice(at + prefix.length + 1);
  return name === '' ? undefined : name;
}

/** How many names a listing asks for per page: memory holds one page at a time. */
export const LIST_PAGE_SIZE = 100;

/** How a kind's paginator reads: one page of LIST_PAGE_SIZE at a time, from the given cursor when resuming. */
export function pagingOf(options: ListOptions): { client: ReturnType<typeof sageMaker>; pageSize: number; startingToken?: string } {
  return { client: sageMaker(), pageSize: LIST_PAGE_SIZE, ...(options.startingToken !== undefined ? { startingToken: options.startingToken } : {}) };
}

/** The names on each page of a paginated List* call, with the cursor of the page after it (none on the last). */
export async function* pagesOf<P extends { NextToken?: string }>(pages: AsyncIterable<P>, names: (page: P) => readonly (string | undefined)[] | undefined): AsyncGenerator<ListedPage> {
  for await (const page of pages) {
    const listed = (names(page) ?? []).filter((name): name is string => name !== undefined && name !== '');
    yield { names: listed, ...(page.NextToken !== undefined && page.NextToken !== '' ? { nextToken: page.NextToken } : {}) };
  }
}

/** All tags of a resource as a map; when a key repeats, the last value wins. */
export async function listTags(arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for await (const page of paginateListTags({ client: sageMaker() }, { ResourceArn: arn })) {
    for (const tag of page.Tags ?? []) {
      if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }
  }
  return tags;
}

export async function addTags(arn: string, tags: readonly Tag[]): Promise<void> {
  await sageMaker().send(new AddTagsCommand({ ResourceArn: arn, Tags: [...tags] }));
}
