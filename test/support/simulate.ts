/**
 * Judges generated guardrails with an independent IAM policy evaluator, @cloud-copilot/iam-simulate (AGPL: a
 * devDependency for tests only, never bundled), rather than by comparing strings.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../lib/guardrails';

export const ACCOUNT = '111122223333';
export const DEVELOPER = `arn:aws:iam::${ACCOUNT}:role/ml-developer`;

const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export type ContextValue = string | string[];

export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  /** @default DEVELOPER */
  readonly principal?: string;
}

export type Verdict = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** How the documents are attached: as SCPs of an OU, as identity policies of the role, or as its permissions boundary. */
export type Attachment = 'scp' | 'identity' | 'boundary';

/** The decision for one request, under an Allow-all identity policy and the guardrail documents attached as said. */
export async function decide(documents: readonly PolicyDocument[], request: Request, attachment: Attachment): Promise<Verdict> {
  const principal = request.principal ?? DEVELOPER;
  const named = documents.map((policy, index) => ({ name: `guardrail-${index + 1}`, policy }));
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'allow-everything', policy: ALLOW_EVERYTHING }, ...(attachment === 'identity' ? named : [])],
      serviceControlPolicies: attachment === 'scp' ? [{ orgIdentifier: 'ou-guarded', policies: [{ name: 'FullAWSAccess', policy: ALLOW_EVERYTHING }, ...named] }] : [],
      resourceControlPolicies: [],
      ...(attachment === 'boundary' ? { permissionBoundaryPolicies: named } : {}),
      request: {
        action: request.action,
        principal,
        resource: { accountId: ACCOUNT, resource: request.resource },
        // iam-simulate does not fill aws:PrincipalArn from the principal yet: the request carries it, as IAM's does.
        contextVariables: { 'aws:PrincipalArn': principal, ...request.context },
      },
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(`the simulation refused the request: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}
