/**
 * Fits guardrail statements into as few policy documents as their limits allow. Pure.
 * - `scp`: service control policies, Deny only, each at most 5,120 characters, at most 4 (an SCP target holds 5,
 *   one of them FullAWSAccess or the allow list that replaces it).
 * - `iam`: one customer managed policy (at most 6,144 characters) of Deny statements only, to attach to roles (an
 *   explicit Deny wins over any Allow of theirs).
 * - `boundary`: the same with one `Allow *` first, to set as a permissions boundary (a boundary grants nothing it does
 *   not allow, so a Deny-only boundary would deny everything). Never attach it as an identity policy: its Allow would
 *   grant everything.
 * Statements whose resources and conditions are the same are merged (their actions joined); documents are minified
 * JSON, and the size counted is the length of that JSON.
 */
import type { GuardrailStatement, Statement } from './statements';

export type GuardrailFormat = 'scp' | 'iam' | 'boundary';
export const FORMATS: readonly GuardrailFormat[] = ['scp', 'iam', 'boundary'];

export const LIMITS: Readonly<Record<GuardrailFormat, { readonly characters: number; readonly documents: number }>> = {
  // A root, OU or account holds 5 SCPs, and one of them is FullAWSAccess (or the allow list that replaces it).
  scp: { characters: 5120, documents: 4 },
  iam: { characters: 6144, documents: 1 },
  boundary: { characters: 6144, documents: 1 },
};

/** The boundary's grant: whatever the role's own policies allow, but what the Deny statements refuse. */
export const ALLOW_ALL: AllowStatement = { Effect: 'Allow', Action: '*', Resource: '*' };

export interface AllowStatement {
  readonly Effect: 'Allow';
  readonly Action: '*';
  readonly Resource: '*';
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly (Statement | AllowStatement)[];
}

export interface PackedDocument {
  readonly policy: PolicyDocument;
  /** The minified JSON, as written to the file and counted against the limit. */
  readonly json: string;
  readonly controls: readonly string[];
}

export class GuardrailsTooLargeError extends Error {
  override readonly name = 'GuardrailsTooLargeError';
  constructor(
    message: string,
    /** The controls whose statements did not fit: listed in guardrails.respondOnly, the rest fits. */
    readonly controls: readonly string[],
  ) {
    super(message);
  }
}

const documentOf = (statements: readonly (Statement | AllowStatement)[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const sizeOf = (statements: readonly (Statement | AllowStatement)[]): number => JSON.stringify(documentOf(statements)).length;

/** Statements with the same resources and condition become one, with the union of their actions (sorted). */
export function mergeStatements(statements: readonly GuardrailStatement[]): GuardrailStatement[] {
  const merged = new Map<string, { actions: Set<string>; controls: Set<string>; first: Statement; rank: number }>();
  for (const { statement, controls, rank } of statements) {
    // The same statement but for its actions (JSON.stringify leaves the undefined Action out).
    const key = JSON.stringify({ ...statement, Action: undefined });
    const entry = merged.get(key) ?? { actions: new Set<string>(), controls: new Set<string>(), first: statement, rank };
    for (const action of statement.Action) entry.actions.add(action);
    for (const control of controls) entry.controls.add(control);
    entry.rank = Math.min(entry.rank, rank);
    merged.set(key, entry);
  }
  return [...merged.values()].map(({ actions, controls, first, rank }) => ({
    statement: { ...first, Action: [...actions].sort() },
    controls: [...controls],
    rank,
  }));
}

/**
 * Packs the statements into documents, each into the first document with room: the guard's self-protection first
 * (without it the other guardrails can be switched off), then by severity, largest first within one. Throws
 * GuardrailsTooLargeError when the result exceeds the format's limits, naming the controls that did not fit: the
 * least severe, so the advice keeps the critical controls preventive.
 */
export function packGuardrails(statements: readonly GuardrailStatement[], format: GuardrailFormat): PackedDocument[] {
  const limit = LIMITS[format];
  const merged = mergeStatements(statements);
  const ordered = [...merged].sort((a, b) => a.rank - b.rank || sizeOf([b.statement]) - sizeOf([a.statement]));
  const grant = format === 'boundary' ? [ALLOW_ALL] : [];
  const fits = (held: readonly GuardrailStatement[]): boolean => sizeOf([...grant, ...held.map((entry) => entry.statement)]) <= limit.characters;
  const bins: GuardrailStatement[][] = [];
  const leftOver: GuardrailStatement[] = [];
  for (const entry of ordered) {
    const bin = bins.find((candidate) => fits([...candidate, entry]));
    if (bin !== undefined) bin.push(entry);
    else if (bins.length < limit.documents && fits([entry])) bins.push([entry]);
    else leftOver.push(entry);
  }
  if (leftOver.length > 0) {
    const controls = [...new Set(leftOver.flatMap((entry) => entry.controls))];
    const what = format === 'scp' ? `${limit.documents} service control policies of ${limit.characters} characters` : `one managed policy of ${limit.characters} characters`;
    throw new GuardrailsTooLargeError(
      `the guardrails do not fit in ${what}; leave these controls to the responder by listing them in the policy's guardrails.respondOnly: ${controls.join(', ')}`,
      controls,
    );
  }
  return bins.map((bin) => {
    const policy = documentOf([...grant, ...bin.map((entry) => entry.statement)]);
    return { policy, json: JSON.stringify(policy), controls: [...new Set(bin.flatMap((entry) => entry.controls))] };
  });
}
