/** Sample EventBridge events from test/fixtures/events, read as plain objects. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './cdk-out';

export const EVENTS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'events');

export interface SampleEvent {
  readonly version?: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account?: string;
  readonly time?: string;
  readonly region?: string;
  readonly resources?: string[];
  readonly detail: Record<string, unknown>;
}

/** Reads one event, by its path under test/fixtures/events (e.g. "variants/model.created.json"). */
export function loadEvent(path: string): SampleEvent {
  return JSON.parse(readFileSync(join(EVENTS_DIR, path), 'utf8')) as SampleEvent;
}

/** Paths (relative to test/fixtures/events) of every EventBridge event sample, variants included. */
export function listEventFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.json') ? [join(dir, entry.name)] : [],
    );
  return walk(EVENTS_DIR)
    .map((file) => relative(EVENTS_DIR, file))
    .filter((file) => {
      // CloudTrail records are the detail of another event, not an EventBridge event themselves.
      const event = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as Partial<SampleEvent>;
      return typeof event['detail-type'] === 'string' && typeof event.source === 'string';
    })
    .sort();
}

/** A copy of the sample with a new id and `detail` fields replaced (the rest of the envelope kept as published). */
export function eventFor(sample: SampleEvent, detail: Record<string, unknown>, id: string): SampleEvent {
  return { ...sample, id, detail: { ...sample.detail, ...detail } };
}
