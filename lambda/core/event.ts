import * as z from 'zod/mini';
import { KINDS, kindByDetailType, RESOURCE_KINDS, type ResourceKind } from '../kinds/registry';
import { describeIssues, issueMessage } from './validation';

/** The small typed value an EventBridge event is parsed into, once, at the edge. */
export interface GuardEvent {
  readonly eventId: string;
  readonly kind: ResourceKind;
  /** The resource name, from `detail` (never from the lower-cased ARN in `resources`). */
  readonly name: string;
  /** The status the event reported; informational only, decisions use Describe*. */
  readonly reportedStatus?: string;
  readonly time?: string;
  /** Where the event came from; used only to name a resource that is already gone. */
  readonly account?: string;
  readonly region?: string;
}

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  constructor(readonly problems: readonly string[]) {
    super(`Malformed SageMaker event: ${problems.join('; ')}`);
  }
}

/** SageMaker resource names: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit. */
const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1, 'expected the EventBridge event id')),
  'detail-type': z.string().check(z.minLength(1)),
  source: z.literal('aws.sagemaker', { error: 'expected "aws.sagemaker"' }),
  // Only what the guard uses is required; the account and region of record come from Describe* ARNs.
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  detail: z.record(z.string(), z.unknown(), { error: 'expected an object' }),
});

function detailSchemaFor(kind: ResourceKind) {
  const info = KINDS[kind];
  const name = z
    .string({ error: 'expected a string (the resource name)' })
    .check(z.regex(SAGEMAKER_NAME, 'expected a SageMaker resource name (1-63 letters, digits and hyphens)'));
  const shape: Record<string, z.ZodMiniType> = { [info.nameField]: name };
  if (info.statusField !== undefined) shape[info.statusField] = z.optional(z.string({ error: 'expected a string (the status)' }));
  return z.object({ detail: z.object(shape) });
}

/** Built once per kind: compiling a zod schema on every event costs more than parsing with it. */
const DETAIL_SCHEMAS = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, detailSchemaFor(kind)])) as Record<ResourceKind, ReturnType<typeof detailSchemaFor>>;

/**
 * Parses an EventBridge event for the given kind. Throws MalformedEventError naming every bad field,
 * its value and what was expected: the caller logs it and lets it go to the dead-letter queue.
 */
export function parseEvent(raw: unknown, expected: ResourceKind): GuardEvent {
  const envelope = envelopeSchema.safeParse(raw, { error: issueMessage });
  if (!envelope.success) throw new MalformedEventError(describeIssues(envelope.error, raw));
  const detailType = envelope.data['detail-type'];
  const kind = kindByDetailType(detailType);
  if (kind !== expected) {
    const why = kind === undefined ? 'a detail-type this guard does not handle' : `meant for the ${KINDS[kind].label} function`;
    throw new MalformedEventError([`detail-type: expected "${KINDS[expected].detailType}" (given: ${JSON.stringify(detailType)}, ${why})`]);
  }
  const detail = DETAIL_SCHEMAS[kind].safeParse(raw, { error: issueMessage });
  if (!detail.success) throw new MalformedEventError(describeIssues(detail.error, raw));
  const info = KINDS[kind];
  const fields = envelope.data.detail;
  const status = info.statusField === undefined ? undefined : fields[info.statusField];
  return {
    eventId: envelope.data.id,
    kind,
    name: fields[info.nameField] as string,
    ...(typeof status === 'string' ? { reportedStatus: status } : {}),
    ...(envelope.data.time !== undefined ? { time: envelope.data.time } : {}),
    ...(envelope.data.account !== undefined ? { account: envelope.data.account } : {}),
    ...(envelope.data.region !== undefined ? { region: envelope.data.region } : {}),
  };
}
