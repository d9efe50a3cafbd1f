/** The AWS managed key for SageMaker is not a customer managed key, whichever way it is named. */
export function isAwsManagedSageMakerKey(keyId: string): boolean {
  return /(^|:)alias\/aws\/sagemaker$/.test(keyId);
}

export function describeKmsKey(keyId: string | undefined, field: string): string | undefined {
  if (keyId === undefined || keyId.trim() === '') return `${field} is not set, so an AWS managed key is used`;
  if (isAwsManagedSageMakerKey(keyId)) return `${field} is the AWS managed key ${keyId}`;
  return undefined;
}
