import { classifyError, type ErrorClass } from '../../lambda/aws/errors';

function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

/**
 * The errors the processing-job adapter meets (DescribeProcessingJob, StopProcessingJob), as the real service
 * and moto 5.2.1 word them. No new pattern in lambda/aws/errors.ts was needed for any of them.
 */
describe('classifyError: processing jobs', () => {
  test.each<[string, unknown, ErrorClass]>([
    ['DescribeProcessingJob, missing (real wording)', awsError('ValidationException', 'Could not find requested job with name: churn-features-1'), { type: 'not-found' }],
    ['DescribeProcessingJob, missing (moto wording)', awsError('ValidationException', "Could not find processing job 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/x'."), { type: 'not-found' }],
    ['DescribeProcessingJob, ResourceNotFound (a modelled error of the API)', awsError('ResourceNotFound', 'Resource not found'), { type: 'not-found' }],
    ['StopProcessingJob on a missing job', awsError('ValidationException', 'Could not find requested job with name: x'), { type: 'not-found' }],
    [
      'StopProcessingJob on a completed job (worded as StopTrainingJob is; not seen from the real service)',
      awsError('ValidationException', 'The request was rejected because the processing job is in status Completed.'),
      { type: 'wrong-state', status: 'Completed' },
    ],
    ['StopProcessingJob on a stopping job', awsError('ValidationException', 'The request was rejected because the processing job is in status Stopping.'), { type: 'wrong-state', status: 'Stopping' }],
    ['StopProcessingJob denied', awsError('AccessDeniedException', 'User is not authorized to perform: sagemaker:StopProcessingJob with an explicit deny'), { type: 'access-denied' }],
    ['DescribeProcessingJob throttled', awsError('ThrottlingException', 'Rate exceeded'), { type: 'throttled' }],
    [
      "moto 5.2.1's answer to StopProcessingJob (not implemented: HTML 500) is not a refusal",
      awsError('SyntaxError', 'Unexpected token \'<\', "<!doctype "... is not valid JSON', { $metadata: { httpStatusCode: 500 } }),
      { type: 'other' },
    ],
  ])('%s', (_title, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});
