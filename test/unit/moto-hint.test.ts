/**
 * The "install moto" hint: spelled out in one place (tools/local/emulator.ts), pinned to the tested moto,
 * and printed once by the demo whatever made moto_server unavailable.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { motoMissingLines } from '../../scripts/demo/moto-missing';
import { checkMotoAvailable, MOTO_INSTALL_HINT } from '../../tools/local/emulator';

const PINNED = 'pip install "moto[server]==5.2.1"';

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

test('the hint is pinned to moto 5.2.1', () => {
  expect(MOTO_INSTALL_HINT).toContain(PINNED);
  expect(occurrences(MOTO_INSTALL_HINT, 'pip install')).toBe(1);
});

test('a missing moto_server: the reason carries the hint, the demo prints it once', () => {
  const availability = checkMotoAvailable(join(tmpdir(), 'no-such-dir', 'moto_server'));
  if (availability.available) throw new Error('a command in a directory that does not exist cannot be available');
  expect(availability.reason).toContain('was not found on PATH');

  const printed = motoMissingLines(availability).join('\n');
  expect(occurrences(printed, 'pip install')).toBe(1);
  expect(printed).toContain(PINNED);
  expect(printed).toContain('Then run `npm run demo` again.');
});

test('a reason without the hint gets it added, once', () => {
  const printed = motoMissingLines({ available: false, command: 'moto_server', reason: '`moto_server --help` was killed.' }).join('\n');
  expect(occurrences(printed, 'pip install')).toBe(1);
  expect(printed).toContain(PINNED);
});
