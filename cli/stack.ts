/**
 * The guard's stack outputs (LedgerTableName, DeadLetterQueueUrl), read with DescribeStacks, so that
 * `history` and `redrive` find the table and the queue without being told their generated names.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { classifyError, errorName } from '../lambda/aws/errors';
import { deniedAction } from './denied';

/** The stack, or its output, is not there; or it could not be read. The message says which, and what to do. */
export class StackOutputError extends Error {
  override readonly name = 'StackOutputError';

  constructor(
    message: string,
    /** What went wrong: no such stack, no such output, access denied, or another failure. */
    readonly reason: 'no-stack' | 'no-output' | 'denied' | 'failed' = 'failed',
  ) {
    super(message);
  }
}

export const STACK_OUTPUTS = { ledgerTable: 'LedgerTableName', deadLetterQueue: 'DeadLetterQueueUrl' } as const;

/** Where the stack is looked up, for messages: the client's region. */
async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return 'the default region';
  }
}

/**
 * The value of output `key` of `stack`. `instead` names the option that makes the lookup unnecessary
 * (--table, --queue-url), for the error messages.
 */
export async function stackOutput(client: CloudFormationClient, stack: string, key: string, instead: string): Promise<string> {
  let stacks;
  try {
    stacks = (await client.send(new DescribeStacksCommand({ StackName: stack }))).Stacks ?? [];
  } catch (error) {
    const region = await regionOf(client);
    const message = (error as Error).message;
    // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
    if ((errorName(error) === 'ValidationError' || errorName(error) === 'ValidationException') && /does not exist/i.test(message)) {
      throw new StackOutputError(`stack ${stack} was not found in ${region}: pass --region (and --profile) for the account and region it is deployed in, --stack with its name, or ${instead}`, 'no-stack');
    }
    if (classifyError(error).type === 'access-denied') {
      throw new StackOutputError(
        `${deniedAction(message) ?? 'cloudformation:DescribeStacks'} was denied (${errorName(error)}) reading stack ${stack} in ${region}: ${message}. Grant it, or pass ${instead}`,
        'denied',
      );
    }
    throw new StackOutputError(`could not read stack ${stack} in ${region} (cloudformation:DescribeStacks): ${errorName(error)}: ${message}`);
  }
  const found = stacks.at(0);
  if (found === undefined) throw new StackOutputError(`stack ${stack} was not found in ${await regionOf(client)}: pass --stack with its name, or ${instead}`, 'no-stack');
  const value = found.Outputs?.find((output) => output.OutputKey === key)?.OutputValue;
  if (value === undefined || value === '') {
    const keys = (found.Outputs ?? []).map((output) => output.OutputKey).filter((name) => name !== undefined);
    throw new StackOutputError(
      `stack ${stack} (${found.StackStatus ?? 'status unknown'}) has no output ${key} (its outputs: ${keys.join(', ') || 'none'}): deploy the current version of the guard, or pass ${instead}`,
      'no-output',
    );
  }
  return value;
}
