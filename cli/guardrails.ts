/**
 * `sagemaker-guard guardrails`: the preventive guardrails for a validated policy (lib/guardrails), written as IAM
 * policy documents, with a report of what each control became. Offline: it reads the policy and writes files.
 */
import type { GuardSettings } from '../lambda/core/settings';
import { generateGuardrails, GuardrailsTooLargeError, LIMITS, type ControlVerdict, type GeneratedGuardrails } from '../lib/guardrails';
import type { GuardrailsOptions } from './args';
import type { CommandIO } from './io';

/** Where the documents go: the real file system in main.ts, a map in the tests. */
export interface GuardrailFiles {
  mkdir(dir: string): void;
  writeFile(path: string, text: string): void;
}

const EXIT = { clean: 0, error: 2 } as const;

export const fileName = (index: number): string => `sagemaker-guard-guardrail-${index + 1}.json`;

function describeVerdict(verdict: ControlVerdict): string {
  if (verdict.status === 'prevented') return verdict.notes.length > 0 ? `prevented (${verdict.notes.join('; ')})` : 'prevented';
  const label = { 'respond-only': 'respond only', 'not-enforced': 'not in the guardrails', unused: 'unused' }[verdict.status];
  return `${label}: ${verdict.why}`;
}

function report(generated: GeneratedGuardrails, options: GuardrailsOptions, written: readonly string[]): string {
  const limit = LIMITS[options.format];
  const width = Math.max(...generated.verdicts.map((verdict) => verdict.control.length));
  const lines = [
    ...generated.verdicts.map((verdict) => `${verdict.control.padEnd(width)}  ${describeVerdict(verdict)}`),
    '',
    ...generated.documents.map(
      (document, index) => `${written[index] ?? fileName(index)}: ${document.json.length} of ${limit.characters} characters, ${document.policy.Statement.length} statements`,
    ),
  ];
  const prevented = generated.verdicts.filter((verdict) => verdict.status === 'prevented').length;
  lines.push(`${prevented} of ${generated.verdicts.length} controls prevented; ${generated.documents.length} document(s) (at most ${limit.documents})${written.length === 0 ? '; nothing written (give --out DIR)' : ''}`);
  if (options.format === 'scp') lines.push('An SCP target holds 5 policies, one of them FullAWSAccess: these are at most 4, so they fit beside it where nothing else is attached.');
  return `${lines.join('\n')}\n`;
}

export function guardrailsCommand(options: GuardrailsOptions, settings: GuardSettings, io: CommandIO, files: GuardrailFiles): number {
  let generated: GeneratedGuardrails;
  try {
    generated = generateGuardrails(settings, options.format, { stackName: options.stack, switchParameterName: options.switchParameter, now: io.now?.() ?? new Date() });
  } catch (error) {
    if (!(error instanceof GuardrailsTooLargeError)) throw error;
    io.stderr.write(`sagemaker-guard guardrails: ${error.message}\n`);
    return EXIT.error;
  }
  const written: string[] = [];
  if (options.out !== undefined) {
    files.mkdir(options.out);
    generated.documents.forEach((document, index) => {
      const path = `${options.out ?? ''}/${fileName(index)}`;
      files.writeFile(path, `${document.json}\n`);
      written.push(path);
    });
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ format: options.format, documents: generated.documents.map((document, index) => ({ file: written[index] ?? null, characters: document.json.length, controls: document.controls, policy: document.policy })), controls: generated.verdicts })}\n`);
  } else {
    io.stdout.write(report(generated, options, written));
  }
  return EXIT.clean;
}
