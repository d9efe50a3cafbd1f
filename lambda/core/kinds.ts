/** The SageMaker resource kinds the guard watches, and the facts that differ between them. */
export const RESOURCE_KINDS = ['training-job', 'model', 'notebook-instance'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export type Action = 'stop' | 'delete';

export interface KindInfo {
  /** Human label used in notices and logs. */
  readonly label: string;
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
  /** Path of the resource in the SageMaker console, after `#/`. */
  readonly consolePath: string;
  /** Resource type segment of its ARN: arn:aws:sagemaker:REGION:ACCOUNT:<arnType>/NAME. */
  readonly arnType: string;
  /** The IAM action that lists the kind (the sweep's listing; it has no resource-level permissions). */
  readonly listAction: string;
}

/** How notices, summaries and the audit command say an action was done. */
export const PAST_TENSE: Readonly<Record<Action, string>> = { stop: 'stopped', delete: 'deleted' };

export const KINDS: Readonly<Record<ResourceKind, KindInfo>> = {
  'training-job': {
    label: 'training job',
    detailType: 'SageMaker Training Job State Change',
    nameField: 'TrainingJobName',
    statusField: 'TrainingJobStatus',
    actionableStatuses: ['InProgress'],
    precedingStatuses: [],
    action: 'stop',
    api: 'StopTrainingJob',
    survivesAction: true,
    consolePath: 'jobs',
    arnType: 'training-job',
    listAction: 'sagemaker:ListTrainingJobs',
  },
  model: {
    label: 'model',
    detailType: 'SageMaker Model State Change',
    nameField: 'ModelName',
    actionableStatuses: [],
    precedingStatuses: [],
    action: 'delete',
    api: 'DeleteModel',
    survivesAction: false,
    consolePath: 'models',
    arnType: 'model',
    listAction: 'sagemaker:ListModels',
  },
  'notebook-instance': {
    label: 'notebook instance',
    detailType: 'SageMaker Notebook Instance State Change',
    nameField: 'NotebookInstanceName',
    statusField: 'NotebookInstanceStatus',
    actionableStatuses: ['InService'],
    precedingStatuses: ['Pending'],
    action: 'stop',
    api: 'StopNotebookInstance',
    survivesAction: true,
    consolePath: 'notebook-instances',
    arnType: 'notebook-instance',
    listAction: 'sagemaker:ListNotebookInstances',
  },
};

export function kindByDetailType(detailType: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => KINDS[kind].detailType === detailType);
}

/** The EventBridge pattern for a kind, in CDK's EventPattern shape: only events worth acting on. */
export interface KindEventPattern {
  readonly source: string[];
  readonly detailType: string[];
  readonly detail?: Record<string, string[]>;
}

export function eventPatternFor(kind: ResourceKind): KindEventPattern {
  const info = KINDS[kind];
  return {
    source: ['aws.sagemaker'],
    detailType: [info.detailType],
    ...(info.statusField !== undefined ? { detail: { [info.statusField]: [...info.actionableStatuses] } } : {}),
  };
}
