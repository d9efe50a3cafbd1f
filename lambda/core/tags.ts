import type { Action } from './kinds';

/** Tags the guard writes on a resource before acting on it, so its owner sees why in the console. */
export const TAG = {
  violations: 'sagemaker-guard:violations',
  action: 'sagemaker-guard:action',
  notice: 'sagemaker-guard:notice',
  eventId: 'sagemaker-guard:event-id',
} as const;

/** Notice state kept on the resource: `pending` until the notice is published, then `sent`. */
export type NoticeState = 'pending' | 'sent';

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

/** `noticeOwed`: whether a notice will follow (the pending mark that lets a retry send it); the audit command sends none. */
export function tagsBeforeAction(controlIds: readonly string[], action: Action, eventId: string, noticeOwed = true): Tag[] {
  return [
    { Key: TAG.violations, Value: violationsTagValue(controlIds) },
    { Key: TAG.action, Value: action },
    ...(noticeOwed ? [{ Key: TAG.notice, Value: 'pending' }] : []),
    { Key: TAG.eventId, Value: eventId.slice(0, MAX_TAG_VALUE) },
  ];
}

export const noticeSentTag: Tag = { Key: TAG.notice, Value: 'sent' };

export function noticeStateOf(tags: Readonly<Record<string, string>>): NoticeState | undefined {
  const value = tags[TAG.notice];
  return value === 'pending' || value === 'sent' ? value : undefined;
}
