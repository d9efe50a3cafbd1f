/**
 * Names for the errors the handlers meet, so they read as a decision table. Matching is by error name
 * plus a loose message fragment: SageMaker reports most of these as ValidationException, and its
 * messages differ between APIs and change over time.
 */
export type ErrorClass =
  | { readonly type: 'not-found' }
  | { readonly type: 'wrong-state'; readonly status: string | undefined }
  | { readonly type: 'throttled' }
  | { readonly type: 'access-denied' }
  | { readonly type: 'other' };

const NOT_FOUND = /not found|does not exist|RecordNotFound|Could not find/i;
const WRONG_STATE = [/in status (\w+)/i, /Status \((\w+)\) not in/i, /Unable to transition/i];
const THROTTLED_NAMES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError']);

interface AwsErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function classifyError(error: unknown): ErrorClass {
  if (error === null || typeof error !== 'object') return { type: 'other' };
  const { name, message, $retryable } = error as AwsErrorShape;
  const errorName = typeof name === 'string' ? name : '';
  const text = typeof message === 'string' ? message : '';
  if (THROTTLED_NAMES.has(errorName) || $retryable?.throttling === true) return { type: 'throttled' };
  // HTTP 403 is an authorization refusal whatever the body says: a denial whose body the SDK cannot parse
  // (an XML error from a JSON API, as moto's IAM emulation sends) is still a denial, never a retryable fault.
  if (DENIED_NAMES.has(errorName) || (error as AwsErrorShape).$metadata?.httpStatusCode === 403) return { type: 'access-denied' };
  if (errorName === 'ResourceNotFound' || errorName === 'ResourceNotFoundException') return { type: 'not-found' };
  if (errorName === 'ValidationException') {
    if (NOT_FOUND.test(text)) return { type: 'not-found' };
    for (const pattern of WRONG_STATE) {
      const match = pattern.exec(text);
      if (match !== null) return { type: 'wrong-state', status: match[1] };
    }
  }
  return { type: 'other' };
}

export function errorName(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as AwsErrorShape).$metadata?.httpStatusCode;
    return status === 403 && !DENIED_NAMES.has(error.name) ? `HTTP 403 (${error.name})` : error.name;
  }
  return typeof error;
}
