import { classifyError } from '../../lambda/aws/errors';

/**
 * The refusals of the transform and tuning job APIs classify with the existing patterns (none was added): the
 * not-found messages of the real service (aws-facts) and of moto 5.2.1 (MOTO-NOTES), the documented
 * ResourceNotFound of the Stop APIs, and a wrong-state message in the form StopTrainingJob uses (the Stop APIs of
 * transform and tuning jobs document no message of their own; one that does not match is thrown and retried).
 */
const error = (name: string, message: string): Error => Object.assign(new Error(message), { name });

test.each<[string, Error, ReturnType<typeof classifyError>]>([
  ['DescribeTransformJob, real service', error('ValidationException', 'Could not find requested job with name churn-scoring-1'), { type: 'not-found' }],
  ['DescribeTransformJob, moto', error('ValidationException', "Could not find transform job 'arn:aws:sagemaker:us-east-1:123456789012:transform-job/nope'."), { type: 'not-found' }],
  ['DescribeModel of a transform job’s model', error('ValidationException', 'Could not find model "ChurnModel-v2".'), { type: 'not-found' }],
  ['DescribeHyperParameterTuningJob, moto', error('ResourceNotFound', "Could not find hyper parameter tuning job 'nope'."), { type: 'not-found' }],
  ['StopTransformJob / StopHyperParameterTuningJob, documented', error('ResourceNotFound', 'Resource being access is not found.'), { type: 'not-found' }],
  ['StopTransformJob on a finished job', error('ValidationException', 'The request was rejected because the transform job is in status Completed.'), { type: 'wrong-state', status: 'Completed' }],
  ['StopHyperParameterTuningJob on a stopping job', error('ValidationException', 'The request was rejected because the hyperparameter tuning job is in status Stopping.'), { type: 'wrong-state', status: 'Stopping' }],
  ['StopHyperParameterTuningJob denied', error('AccessDeniedException', 'not authorized to perform: sagemaker:StopHyperParameterTuningJob'), { type: 'access-denied' }],
])('%s', (_title, given, expected) => {
  expect(classifyError(given)).toEqual(expected);
});
