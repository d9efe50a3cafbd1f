/** The Invoker of a real run: Lambda's Invoke API, synchronously (RequestResponse), in the function's own region. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { classifyError, errorName } from '../../lambda/aws/errors';
import { deniedAction } from '../denied';
import { parseFunctionArn } from './envelope';
import type { InvokeResult, Invoker } from './redrive';

/** "Error: boom" from a function error's payload ({errorType, errorMessage}), or the payload itself. */
export function functionErrorText(payload: Uint8Array | undefined): string {
  const body = payload !== undefined ? new TextDecoder().decode(payload) : '';
  try {
    const parsed = JSON.parse(body) as { errorType?: unknown; errorMessage?: unknown };
    const parts = [parsed.errorType, parsed.errorMessage].filter((part): part is string => typeof part === 'string' && part !== '');
    if (parts.length > 0) return parts.join(': ');
  } catch {
    // not JSON: shown as it is
  }
  return body.length > 500 ? `${body.slice(0, 500)}...` : body || 'no error payload';
}

/** Invokes through `clientFor(region)`, one client per region of the functions' ARNs. */
export class LambdaInvoker implements Invoker {
  private readonly clients = new Map<string, LambdaClient>();

  constructor(private readonly clientFor: (region: string) => LambdaClient) {}

  async invoke(functionArn: string, payload: unknown): Promise<InvokeResult> {
    const arn = parseFunctionArn(functionArn);
    if ('problem' in arn) return { ok: false, error: arn.problem };
    let client = this.clients.get(arn.region);
    if (client === undefined) {
      client = this.clientFor(arn.region);
      this.clients.set(arn.region, client);
    }
    try {
      const response = await client.send(
        new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
      );
      // A function that threw still answers 200, with FunctionError set ("Unhandled") and the error as the payload.
      if (response.FunctionError !== undefined) return { ok: false, error: `the function failed (${response.FunctionError}): ${functionErrorText(response.Payload)}` };
      if (response.StatusCode !== undefined && response.StatusCode !== 200) return { ok: false, error: `Invoke answered with status ${response.StatusCode}` };
      return { ok: true };
    } catch (error) {
      const name = errorName(error);
      const message = (error as Error).message;
      if (classifyError(error).type === 'access-denied') return { ok: false, error: `${deniedAction(message) ?? 'lambda:InvokeFunction'} was denied (${name}): ${message}` };
      return { ok: false, error: `${name}: ${message}` };
    }
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
