/**
 * No import circle in the code, type imports included: the kinds' controls read a leaf module of types, the
 * registry reads the kinds, the policy schema reads the registry, and the pipeline reads all of them, never the
 * other way round. madge (detective-typescript) finds the edges; `import type` edges count.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// madge ships no type declarations; this is the part of its API the test uses.
interface MadgeResult {
  circular(): string[][];
  obj(): Record<string, string[]>;
}
type Madge = (paths: string | string[], config: Record<string, unknown>) => Promise<MadgeResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS module without types
const madge = require('madge') as Madge;

const ROOT = join(__dirname, '..', '..');
const CONFIG = { fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json'), baseDir: ROOT, detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } } };

describe('imports', () => {
  test('lambda/, lib/ and cli/ hold no import circle, type imports included', async () => {
    const result = await madge(['lambda', 'lib', 'cli'].map((dir) => join(ROOT, dir)), CONFIG);
    expect(Object.keys(result.obj()).length).toBeGreaterThan(80);
    expect(result.circular()).toEqual([]);
  }, 60_000);

  test('the check does see a circle made only of type imports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycle-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
      const result = await madge(dir, { ...CONFIG, baseDir: dir });
      expect(result.circular()).toEqual([['a.ts', 'b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('the controls, the kinds and the registry do not reach the pipeline, the handlers or the AWS adapters at load', async () => {
    const graph = (await madge(['lambda'].map((dir) => join(ROOT, dir)), CONFIG)).obj();
    const pure = Object.keys(graph).filter((file) => /^lambda\/(controls\/|kinds\/(registry|types)\.ts|kinds\/[^/]+\/(index|controls)\.ts)/.test(file));
    expect(pure.length).toBeGreaterThan(8);
    for (const file of pure) {
      // index.ts loads its adapter lazily (import()), which madge records as an edge too: allow exactly that one.
      const reaches = (graph[file] ?? []).filter((dep) => /^lambda\/(pipeline|handlers|aws)\//.test(dep) || (/adapter\.ts$/.test(dep) && !file.endsWith('index.ts')));
      expect({ file, reaches }).toEqual({ file, reaches: [] });
    }
  }, 60_000);
});
