import type { Action } from '../kinds/types';

/**
 * Tags the guard writes on a resource before acting on it, so its owner sees why in the console. They
 * only explain: anyone allowed sagemaker:AddTags can write them, so the guard never reads them back as
 * state (its state is the ledger).
 */
export const TAG = {
  violations: 'sagemaker-guard:violations',
  action: 'sagemaker-guard:action',
  eventId: 'sagemaker-guard:event-id',
} as const;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

const MAX_TAG_VALUE = 256;

/** Control ids joined by spaces, cut to the tag value limit with a count of what did not fit. */
export function violationsTagValue(controlIds: readonly string[]): string {
  let value = '';
  for (const [index, id] of controlIds.entries()) {
    const next = value === '' ? id : `${value} ${id}`;
    const rest = controlIds.length - index - 1;
    const suffix = rest > 0 ? ` +${rest} more` : '';
    if (next.length + suffix.length > MAX_TAG_VALUE) return `${value} +${controlIds.length - index} more`;
    value = next;
  }
  return value;
}

export function tagsBeforeAction(controlIds: readonly string[], action: Action, eventId: string): Tag[] {
  return [
    { Key: TAG.violations, Value: violationsTagValue(controlIds) },
    { Key: TAG.action, Value: action },
    { Key: TAG.eventId, Value: eventId.slice(0, MAX_TAG_VALUE) },
  ];
}
