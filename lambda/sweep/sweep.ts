import { PromisePool } from '@supercharge/promise-pool';
import { classifyError, errorName, type ErrorClass } from '../aws/errors';
import { accessOf, type ResourceAccess, type ResourceKind } from '../kinds/registry';
import type { ListOptions } from '../kinds/types';
import { handleResource, type Evaluated, type HandleOptions, type Runtime } from '../pipeline/handle';

export interface SweepOptions extends ListOptions {
  readonly kinds: readonly ResourceKind[];
  readonly handle: HandleOptions;
  /** Describe calls in flight at once. */
  readonly concurrency: number;
  /** Written into tags and notices, and the logs' correlation id: one per run. */
  readonly correlationId: string;
  /** Asked before each page: true ends the sweep there (the function's time is running out). */
  readonly shouldStop?: () => boolean;
}

/** A resource the sweep could not evaluate, and why (the error's name, class and message). */
export interface SweepFailure {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly decision: 'error';
  readonly error: { readonly name: string; readonly class: ErrorClass['type']; readonly message: string };
}

export type SweepItem = Evaluated | SweepFailure;

export function isFailure(item: SweepItem): item is SweepFailure {
  return item.decision === 'error';
}

/** Where the sweep reaches each kind: its adapter, unless a caller (a test) gives another. */
export type AccessByKind = <K extends ResourceKind>(kind: K) => Promise<ResourceAccess<K>>;

/** Evaluates one page of names with bounded concurrency, in the page's order; a per-resource error is a failure item. */
export async function checkPage<K extends ResourceKind>(
  kind: K,
  names: readonly string[],
  access: ResourceAccess<K>,
  options: Pick<SweepOptions, 'concurrency' | 'correlationId' | 'handle'>,
  runtime: Runtime,
): Promise<SweepItem[]> {
  const { results } = await PromisePool.withConcurrency(options.concurrency)
    .for(names)
    .useCorrespondingResults()
    .process(async (name): Promise<SweepItem> => {
      try {
        return await handleResource(kind, name, options.correlationId, access, runtime, options.handle);
      } catch (error) {
        return { kind, name, decision: 'error', error: { name: errorName(error), class: classifyError(error).type, message: (error as Error).message } };
      }
    });
  // useCorrespondingResults marks items the pool did not run; process() above never throws, so none are.
  return results.filter((result): result is SweepItem => typeof result !== 'symbol');
}

/**
 * Lists each kind page by page and evaluates each page's resources with bounded concurrency, through the
 * responder's own pipeline. Yields every result as its page completes: memory holds one page at a time.
 * A resource gone between list and describe comes back as `gone`; any other per-resource error is
 * yielded as a failure and the sweep goes on. A listing error (access denied) ends it: it is thrown.
 */
export async function* sweep(options: SweepOptions, runtime: Runtime, accessFor: AccessByKind = accessOf): AsyncGenerator<SweepItem> {
  for (const kind of options.kinds) {
    const access = await accessFor(kind);
    for await (const { names } of access.list(options)) {
      if (options.shouldStop?.() === true) return;
      yield* await checkPage(kind, names, access, options, runtime);
    }
  }
}
