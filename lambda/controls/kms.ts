/** The AWS managed key for SageMaker is not a customer managed key, whichever way it is named. */
export function isAwsManagedSageMakerKey(keyId: string): boolean {
  return /(^|:)alias\/aws\/sagemaker$/.test(keyId);
}

/** The key id inside a key ARN (arn:...:key/ID), or the value itself. */
function bareKeyId(keyId: string): string {
  const match = /:key\/([^/]+)$/.exec(keyId);
  return match?.[1] ?? keyId;
}

/** Whether a key is on the allow-list: same value, or the same key id as a key ARN on the list. */
export function isAllowedKey(keyId: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => entry === keyId || bareKeyId(entry) === bareKeyId(keyId));
}

/**
 * What is wrong with a KMS key setting, or undefined when it is a customer key (on the allow-list, when
 * there is one). Aliases are compared by name, since resolving them needs KMS calls.
 */
export function describeKmsKey(keyId: string | undefined, field: string, allowed?: readonly string[]): string | undefined {
  if (keyId === undefined || keyId.trim() === '') return `${field} is not set, so an AWS managed key is used`;
  if (isAwsManagedSageMakerKey(keyId)) return `${field} is the AWS managed key ${keyId}`;
  if (allowed !== undefined && !isAllowedKey(keyId, allowed)) return `${field} ${keyId} is not in allowedKmsKeys (${allowed.join(', ')})`;
  return undefined;
}
