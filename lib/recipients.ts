import * as z from 'zod';
import { enforcesAnything } from '../lambda/core/modes';
import type { GuardSettings } from '../lambda/core/settings';

/** The value of `notificationEmails` that says "no email, on purpose" (the topic gets other subscribers). */
export const NO_EMAIL = 'none';

/** Addresses subscribed to every notice, or `none`: nobody by email, on purpose. */
export type NotificationEmails = readonly string[] | typeof NO_EMAIL;

/** The addresses to subscribe. */
export function emailsOf(emails: NotificationEmails): readonly string[] {
  return emails === NO_EMAIL ? [] : emails;
}

/**
 * Why a deployment may not go ahead as given: it would stop and delete resources and tell nobody (no
 * operator address, no owner routing), which no one chooses by accident. `none` says it is on purpose.
 * `where` words the fix for the CDK context (`-c`) or for the construct's props.
 */
export function recipientsProblem(settings: GuardSettings, emails: NotificationEmails, where: 'context' | 'props'): string | undefined {
  if (emails === NO_EMAIL || emails.length > 0 || Object.keys(settings.owners).length > 0) return undefined;
  if (!enforcesAnything(settings)) return undefined;
  const fix =
    where === 'context'
      ? 'set notificationEmails (cdk.json, or -c notificationEmails=secops@example.com), or route notices to owners with policy.owners; ' +
        'to deploy without email on purpose (you will subscribe the topic yourself: its ARN is the TopicArn output), set -c notificationEmails=none'
      : "pass notificationEmails: ['secops@example.com'], or route notices to owners with settings.owners; " +
        "to deploy without email on purpose (you will subscribe guard.topic yourself), pass notificationEmails: 'none'";
  return `notificationEmails is empty and the policy has no owners, so nobody would be told when the guard stops or deletes a resource (the policy enforces). ${fix}`;
}

/** An operator address, as SNS takes it for an email subscription. */
export const EMAIL = z.email({ error: 'expected an email address such as "secops@example.com"' });

/**
 * The problems of a list of addresses given to the construct: each must be an email address, once
 * (case-insensitive). `["none"]` is a mistake here: the construct takes `'none'` itself, not in a list.
 */
export function emailProblems(emails: readonly string[]): string[] {
  const problems = emails.flatMap((email, index) => {
    if (email.trim().toLowerCase() === NO_EMAIL) {
      return [`notificationEmails.${index}: "${email}" is not an address; to subscribe nobody by email on purpose, pass notificationEmails: 'none' (not in a list)`];
    }
    return EMAIL.safeParse(email).success ? [] : [`notificationEmails.${index}: expected an email address such as "secops@example.com" (given: ${JSON.stringify(email)})`];
  });
  return [...problems, ...duplicateAddresses(emails).map(({ index, message }) => `notificationEmails.${index}: ${message}`)];
}

/** Addresses listed twice (SNS takes one subscription per address; case-insensitive): the later index of each. */
export function duplicateAddresses(emails: readonly string[]): { readonly index: number; readonly message: string }[] {
  const first = new Map<string, number>();
  return emails.flatMap((email, index) => {
    const earlier = first.get(email.toLowerCase());
    if (earlier === undefined) first.set(email.toLowerCase(), index);
    return earlier === undefined ? [] : [{ index, message: `duplicate of notificationEmails.${earlier}; list each address once` }];
  });
}
