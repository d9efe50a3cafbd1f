import { classifyError, type ErrorClass } from '../../lambda/aws/errors';

function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

/** Real messages, as the service sends them (see aws-facts): matched by name plus a loose fragment. */
describe('classifyError', () => {
  test.each<[string, unknown, ErrorClass]>([
    ['DescribeTrainingJob, missing', awsError('ValidationException', 'Requested resource not found.'), { type: 'not-found' }],
    ['DescribeNotebookInstance, missing', awsError('ValidationException', 'RecordNotFound'), { type: 'not-found' }],
    ['StopNotebookInstance, missing', awsError('ValidationException', 'Notebook Instance arn:aws:sagemaker:us-east-1:1:notebook-instance/x does not exist'), { type: 'not-found' }],
    ['DescribeModel, missing', awsError('ValidationException', "Could not find model 'arn:aws:sagemaker:us-east-1:1:model/x'."), { type: 'not-found' }],
    ['DeleteModel, missing (moto words it otherwise)', awsError('ValidationException', 'Could not find model "x".'), { type: 'not-found' }],
    ['DescribeProcessingJob, missing', awsError('ValidationException', 'Could not find requested job with name x'), { type: 'not-found' }],
    ['ResourceNotFound by name', awsError('ResourceNotFound', 'whatever'), { type: 'not-found' }],
    ['StopTrainingJob on a stopped job', awsError('ValidationException', 'The request was rejected because the training job is in status Stopped.'), { type: 'wrong-state', status: 'Stopped' }],
    ['StopTrainingJob on a completed job', awsError('ValidationException', 'The request was rejected because the training job is in status Completed.'), { type: 'wrong-state', status: 'Completed' }],
    [
      'StopNotebookInstance while Pending',
      awsError('ValidationException', 'Status (Pending) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (arn:aws:sagemaker:us-east-1:1:notebook-instance/x).'),
      { type: 'wrong-state', status: 'Pending' },
    ],
    ['a future wording of a refused transition', awsError('ValidationException', 'Unable to transition to (Stopping) now.'), { type: 'wrong-state', status: undefined }],
    ['throttling by name', awsError('ThrottlingException', 'Rate exceeded'), { type: 'throttled' }],
    ['throttling by the SDK flag', awsError('SomethingElse', 'slow down', { $retryable: { throttling: true } }), { type: 'throttled' }],
    ['EC2 throttling', awsError('RequestLimitExceeded', 'Request limit exceeded.'), { type: 'throttled' }],
    ['access denied', awsError('AccessDeniedException', 'User is not authorized to perform: sagemaker:StopTrainingJob'), { type: 'access-denied' }],
    ['EC2 access denied', awsError('UnauthorizedOperation', 'You are not authorized'), { type: 'access-denied' }],
    ['another validation error', awsError('ValidationException', '1 validation error detected: Value at trainingJobName failed'), { type: 'other' }],
    ['"not found" under another name is not a missing resource', awsError('InternalFailure', 'handler not found'), { type: 'other' }],
    ['a string', 'boom', { type: 'other' }],
    ['null', null, { type: 'other' }],
  ])('%s', (_title, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});
