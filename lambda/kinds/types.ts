/**
 * What a kind of SageMaker resource is to the guard: its facts, its controls and its adapter. Each kind is
 * one folder under lambda/kinds/ that exports one `KindSpec`; lambda/kinds/registry.ts lists them, and the
 * pipeline, the construct (rules, functions, IAM), the sweep, the audit command, the README table and the
 * tests all iterate the registry. A leaf module but for the control types.
 */
import type { Control } from '../controls/types';

export type Action = 'stop' | 'delete';

/** How notices, summaries and the audit command say an action was done. */
export const PAST_TENSE: Readonly<Record<Action, string>> = { stop: 'stopped', delete: 'deleted' };

/** What came of calling the Stop or Delete API: exactly what the notice and the ledger say. */
export type ActionResult =
  | { readonly type: 'done' }
  /**
   * The resource was in a state the action cannot be applied in. `reason` is set when the adapter refused without
   * calling the API (an endpoint config in use): the notice says why instead of naming an API call never made.
   */
  | { readonly type: 'wrong-state'; readonly status: string | undefined; readonly reason?: string }
  | { readonly type: 'gone' }
  | { readonly type: 'denied'; readonly errorName: string; readonly permission: string; readonly message: string };

/** A resource as its Describe* (and the reads that complete it) showed it. */
export interface Described<R> {
  readonly resource: R;
  readonly arn: string;
  /** Undefined for kinds without a status (models, endpoint configs). */
  readonly status: string | undefined;
  /**
   * Which state of the resource a decision is about, so that the ledger tells a duplicate event from a
   * new occasion to act: a notebook restarted after the guard stopped it is a new episode (its
   * LastModifiedTime moved); a model re-created under the same name is one too (a new CreationTime).
   */
  readonly episode: string;
  /**
   * Set when another resource answers for this one: a training job launched by a tuning job is judged,
   * stopped and told about as part of its tuning job, not once per child.
   */
  readonly partOf?: { readonly kind: string; readonly name: string };
}

export interface ListOptions {
  /** Jobs created after this time, in any status (a historical report); otherwise only the ones worth acting on. */
  readonly since?: Date;
  /** Where to resume: the `nextToken` of a page an earlier run listed (the Step Functions sweep's cursor). */
  readonly startingToken?: string;
}

/** One page of a listing: the names on it, and the cursor of the next page (absent on the last). */
export interface ListedPage {
  readonly names: string[];
  readonly nextToken?: string;
}

/** How the pipeline reaches one kind of resource (the kind's adapter.ts, the only I/O of a kind). */
export interface KindAdapter<R> {
  /** The resource, or undefined when it does not exist (any more). */
  describe(name: string): Promise<Described<R> | undefined>;
  /** Applies the kind's action, mapping the expected refusals (gone, wrong state, denied) to results. */
  act(name: string): Promise<ActionResult>;
  /** Names worth checking, a page at a time, each with the cursor of the page after it. */
  list(options: ListOptions): AsyncGenerator<ListedPage>;
  /**
   * Facts for the notice that only reads of other resources give (the endpoints still serving a model that is
   * deleted). Called only when a notice is owed; a failure becomes a note saying so, never a lost notice.
   */
  notes?(name: string, described: Described<R>): Promise<string[]>;
}

/** IAM actions a kind's function needs, on the ARNs of the given resource types (or on any resource). */
export interface KindPermission {
  readonly actions: readonly string[];
  /**
   * ARN resource types (`training-job`, `model`, ...) in the function's account and region, or `any` for
   * actions that have no resource-level permissions (EC2 Describe*, SageMaker List*).
   */
  readonly on: readonly string[] | 'any';
}

export interface KindSpec<Id extends string = string, R = unknown> {
  readonly id: Id;
  /** Human label used in notices and logs. */
  readonly label: string;
  /** Construct id of the kind's responder function. */
  readonly responderId: string;
  /** EventBridge detail-type SageMaker publishes for the kind. */
  readonly detailType: string;
  /** Field of `detail` that holds the resource name (names keep their case; ARNs in events do not). */
  readonly nameField: string;
  /** Field of `detail` that holds the status, when the event has one (model events have none). */
  readonly statusField?: string;
  /** Statuses worth invoking the function for: the only ones in which acting is possible. */
  readonly actionableStatuses: readonly string[];
  /**
   * Statuses that come before the actionable ones: an actionable event whose Describe* still shows one
   * of these is eventual consistency, so the invocation retries instead of dropping the event.
   */
  readonly precedingStatuses: readonly string[];
  /** The remediation applied to a non-compliant resource. */
  readonly action: Action;
  /** The SageMaker API that applies it (its IAM action is `sagemaker:<api>`). */
  readonly api: string;
  /** Whether the resource still exists after the action (and so can carry tags explaining it). */
  readonly survivesAction: boolean;
  /** How a notice says when the judged episode began ("was created"; a notebook "was last started or updated"). */
  readonly episodeBegan: string;
  /** When the guard will act on a resource of the existing estate once fixed ("if it is created again like this"). */
  readonly actsNext: string;
  /** Path of the resource in the SageMaker console, after `#/`. */
  readonly consolePath: string;
  /** Resource type segment of its ARN: arn:aws:sagemaker:REGION:ACCOUNT:<arnType>/NAME. */
  readonly arnType: string;
  /** The IAM action that lists the kind (the sweep's listing; it has no resource-level permissions). */
  readonly listAction: string;
  /**
   * The IAM actions that create the kind and, where one exists, update its settings: the guardrails deny these when
   * a request breaks a preventable control (lib/guardrails), and a test holds each control's keys to them.
   */
  readonly createAction: string;
  readonly updateAction?: string;
  /** Every IAM action the kind's adapter calls (tags included), by the resources they apply to. */
  readonly permissions: readonly KindPermission[];
  /**
   * The mode the kind's controls have when the policy names neither them nor the kind: at most this, and
   * never more than the policy's global mode (endpoints report: deleting a serving endpoint is drastic).
   */
  readonly defaultMode?: 'report';
  /**
   * A status in which the adapter's act() refuses the action until something else changes (an endpoint config
   * an endpoint uses is deleted only once none does), and how a report notice says when it would act.
   */
  readonly deferredWhile?: { readonly status: string; readonly until: string };
  /** The kind's controls, in the order notices list them. */
  readonly controls: readonly Control<R>[];
  /** Loads the kind's adapter (its AWS calls) only when a function needs it: the construct never does. */
  readonly adapter: () => Promise<KindAdapter<R>>;
}

/** Declares a kind, keeping its id a literal type (the registry's `ResourceKind` is the union of them). */
export function defineKind<const Id extends string, R>(spec: KindSpec<Id, R>): KindSpec<Id, R> {
  return spec;
}
