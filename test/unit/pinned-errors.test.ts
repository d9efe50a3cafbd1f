import { classifyError, errorName, type ErrorClass } from '../../lambda/aws/errors';

/**
 * Pins the error decision table of lambda/aws/errors.ts name by name, so that dropping a name from a set,
 * or reordering the checks, is caught. Only the names the code lists count; others fall to `other`
 * unless the SDK's throttling flag or an HTTP 403 says otherwise.
 */
function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

const status = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const THROTTLED: ErrorClass = { type: 'throttled' };
const DENIED: ErrorClass = { type: 'access-denied' };
const NOT_FOUND: ErrorClass = { type: 'not-found' };
const OTHER: ErrorClass = { type: 'other' };

describe('classifyError: not found by name', () => {
  test.each<[string, string, ErrorClass]>([
    ['ResourceNotFoundException', 'Requested resource not found', NOT_FOUND],
    // The name alone decides: the message need not say "not found".
    ['ResourceNotFoundException', 'Table: sagemaker-guard-ledger', NOT_FOUND],
    ['ResourceNotFoundException', '', NOT_FOUND],
    ['ResourceNotFound', 'whatever', NOT_FOUND],
    // The name decides before the message: a wrong-state wording under this name is still "not found".
    ['ResourceNotFoundException', 'The training job is in status Stopped.', NOT_FOUND],
    // Names are matched exactly, case and all.
    ['resourcenotfoundexception', 'whatever', OTHER],
    ['ResourceNotFoundFault', 'whatever', OTHER],
  ])('%s (%j) is %j', (name, message, expected) => {
    expect(classifyError(awsError(name, message))).toEqual(expected);
  });
});

describe('classifyError: throttling', () => {
  test.each<[string, ErrorClass]>([
    ['ThrottlingException', THROTTLED],
    ['Throttling', THROTTLED],
    ['TooManyRequestsException', THROTTLED],
    ['RequestLimitExceeded', THROTTLED],
    // Not on the code's list: DynamoDB's throttling error is classified by the SDK flag only (see below).
    ['ProvisionedThroughputExceededException', OTHER],
    ['SlowDown', OTHER],
    ['throttlingexception', OTHER],
  ])('%s is %j', (name, expected) => {
    expect(classifyError(awsError(name, 'Rate exceeded'))).toEqual(expected);
  });

  test.each<[string, unknown, ErrorClass]>([
    ['any name with $retryable.throttling true', awsError('ProvisionedThroughputExceededException', 'slow down', { $retryable: { throttling: true } }), THROTTLED],
    ['$retryable.throttling false is not throttling', awsError('SomethingElse', 'slow down', { $retryable: { throttling: false } }), OTHER],
    ['$retryable without throttling is not throttling', awsError('SomethingElse', 'slow down', { $retryable: {} }), OTHER],
    ['throttling wins over an HTTP 403', awsError('ThrottlingException', 'Rate exceeded', status(403)), THROTTLED],
    ['the throttling flag wins over a denied name', awsError('AccessDeniedException', 'denied', { $retryable: { throttling: true } }), THROTTLED],
    ['the throttling flag wins over a not-found message', awsError('ValidationException', 'Requested resource not found.', { $retryable: { throttling: true } }), THROTTLED],
    ['a plain object (not an Error) is classified by its name too', { name: 'TooManyRequestsException', message: 'x' }, THROTTLED],
  ])('%s', (_title, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});

describe('classifyError: access denied', () => {
  test.each<[string, ErrorClass]>([
    ['AccessDeniedException', DENIED],
    ['AccessDenied', DENIED],
    ['UnauthorizedOperation', DENIED],
    ['AuthorizationError', DENIED],
    // Not on the code's list: without an HTTP 403 these are "other" (retried, not reported as denied).
    ['KMSAccessDeniedException', OTHER],
    ['KMSAccessDenied', OTHER],
    ['UnauthorizedException', OTHER],
    ['accessdeniedexception', OTHER],
  ])('%s is %j', (name, expected) => {
    expect(classifyError(awsError(name, 'User is not authorized to perform: sagemaker:StopTrainingJob'))).toEqual(expected);
  });

  test.each<[string, unknown, ErrorClass]>([
    ['HTTP 403 under a name off the list', awsError('KMSAccessDeniedException', 'not authorized to perform kms:Decrypt', status(403)), DENIED],
    ['HTTP 403 whose body the SDK could not parse', awsError('Error', '<ErrorResponse>...</ErrorResponse>', status(403)), DENIED],
    ['HTTP 403 wins over a not-found name', awsError('ResourceNotFoundException', 'x', status(403)), DENIED],
    ['HTTP 403 wins over a ValidationException message', awsError('ValidationException', 'Requested resource not found.', status(403)), DENIED],
    ['a denied name wins over a not-found message', awsError('AccessDeniedException', 'Could not find role'), DENIED],
    ['HTTP 400 is not a denial', awsError('KMSAccessDeniedException', 'x', status(400)), OTHER],
    ['HTTP 401 is not a denial', awsError('SomethingElse', 'x', status(401)), OTHER],
    ['a plain object with a denied name', { name: 'UnauthorizedOperation' }, DENIED],
  ])('%s', (_title, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});

describe('classifyError: the message is read for ValidationException only', () => {
  test.each<[string, unknown, ErrorClass]>([
    ['ValidationException, not found', awsError('ValidationException', 'Requested resource not found.'), NOT_FOUND],
    ['ValidationException, wrong state', awsError('ValidationException', 'The training job is in status Stopping.'), { type: 'wrong-state', status: 'Stopping' }],
    ['"in status" under another name', awsError('ResourceInUse', 'The training job is in status Stopping.'), OTHER],
    ['"not found" under another name', awsError('InternalFailure', 'Requested resource not found.'), OTHER],
    ['no name, no message', {}, OTHER],
    ['a non-string name and message', { name: 42, message: ['not found'] }, OTHER],
    ['undefined', undefined, OTHER],
    ['a number', 403, OTHER],
  ])('%s', (_title, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});

describe('errorName', () => {
  test.each<[string, unknown, string]>([
    ['an AWS error: its name', awsError('ThrottlingException', 'Rate exceeded'), 'ThrottlingException'],
    ['a denied name under HTTP 403: its name alone', awsError('AccessDeniedException', 'x', status(403)), 'AccessDeniedException'],
    ['each denied name under HTTP 403: its name alone (AccessDenied)', awsError('AccessDenied', 'x', status(403)), 'AccessDenied'],
    ['each denied name under HTTP 403: its name alone (UnauthorizedOperation)', awsError('UnauthorizedOperation', 'x', status(403)), 'UnauthorizedOperation'],
    ['each denied name under HTTP 403: its name alone (AuthorizationError)', awsError('AuthorizationError', 'x', status(403)), 'AuthorizationError'],
    ['another name under HTTP 403 says it was a 403', awsError('KMSAccessDeniedException', 'x', status(403)), 'HTTP 403 (KMSAccessDeniedException)'],
    ['an unparsed 403 body says it was a 403', awsError('Error', 'x', status(403)), 'HTTP 403 (Error)'],
    ['another status: the name', awsError('InternalFailure', 'x', status(500)), 'InternalFailure'],
    ['a plain Error', new Error('boom'), 'Error'],
    ['a plain object with a name is not an Error', { name: 'ThrottlingException' }, 'object'],
    ['a string', 'boom', 'string'],
    ['null', null, 'object'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'number'],
  ])('%s', (_title, error, expected) => {
    expect(errorName(error)).toBe(expected);
  });
});
