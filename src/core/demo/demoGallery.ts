/**
 * The demo gallery file (DESIGN.md §8): recorded trajectories of the embedded policies on the
 * offline pool, shown on first load before any model is downloaded. `make-demos` writes it to
 * public/demos/gallery.json; the app reads it as a static file and replays its trajectories.
 *
 * Read through the share field tables (file mode), so a gallery entry's trajectory is checked exactly
 * as a bundle's is. Parsing never throws: a bad file gives a message and the app goes on without it.
 */
import type { Trajectory } from '../env/trajectory';
import { decodeRecord, encodeRecord, float, isPlainObject, parseJsonNotingHostileKeys, list, oneOf, record, SchemaDecodeError, text, type TableOf } from '../share/schema';
import { TRAJECTORY_FIELDS } from '../share/shareFields';

export const DEMO_GALLERY_FORMAT = 'router-r1-studio.demos';
export const DEMO_GALLERY_VERSION = 1;
/** Where the app reads it, relative to the page (public/demos/gallery.json). */
export const DEMO_GALLERY_FILE = 'demos/gallery.json';
/** 2 MB of text: the shipped file is well under 300 KB; anything far bigger is not a gallery. */
export const MAX_DEMO_GALLERY_CHARS = 2_000_000;
const MAX_ENTRIES = 50;

/** What an entry illustrates. 'alpha-compare' carries a second run (`compare`) of the same question. */
export const DEMO_CATEGORIES = ['multi-round', 'escalation', 'aggregation', 'alpha-compare', 'one-call'] as const;
export type DemoCategory = (typeof DEMO_CATEGORIES)[number];

/** One recorded run: which embedded variant, at which α. */
export interface DemoRun {
  variant: string;
  alpha: number;
  trajectory: Trajectory;
}

export interface DemoEntry extends DemoRun {
  id: string;
  category: DemoCategory;
  title: string;
  /** One line: what to look at. */
  description: string;
  /** The same question by another variant (the α comparison). */
  compare?: DemoRun;
}

export interface DemoGallery {
  format: typeof DEMO_GALLERY_FORMAT;
  version: typeof DEMO_GALLERY_VERSION;
  /** One line: what made the file (models, questions). */
  source: string;
  entries: DemoEntry[];
}

export class DemoGalleryError extends Error {
  override name = 'DemoGalleryError';
}

export type DemoGalleryParseResult = { ok: true; gallery: DemoGallery } | { ok: false; error: DemoGalleryError };

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

const RUN_FIELDS = {
  variant: text('v', 300),
  alpha: float('a', 0, 1),
  trajectory: record('t', TRAJECTORY_FIELDS),
} as const satisfies TableOf<DemoRun>;

const ENTRY_FIELDS = {
  id: text('i', 100, { chars: ID_CHARS }),
  category: oneOf('c', DEMO_CATEGORIES),
  title: text('n', 200),
  description: text('d', 1_000),
  ...RUN_FIELDS,
  compare: record('x', RUN_FIELDS, { optional: true }),
} as const satisfies TableOf<DemoEntry>;

export const DEMO_GALLERY_FIELDS = {
  format: oneOf('f', [DEMO_GALLERY_FORMAT]),
  version: oneOf('v', [DEMO_GALLERY_VERSION]),
  source: text('s', 1_000),
  entries: list('e', record('', ENTRY_FIELDS), MAX_ENTRIES),
} as const satisfies TableOf<DemoGallery>;

/** Pretty JSON, every field named (the file is read by people and diffed when regenerated). */
export function serializeDemoGallery(gallery: DemoGallery): string {
  return `${JSON.stringify(encodeRecord(DEMO_GALLERY_FIELDS, gallery as unknown as Record<string, unknown>, [], 'file'), null, 1)}\n`;
}

const fail = (message: string): DemoGalleryParseResult => ({ ok: false, error: new DemoGalleryError(message) });

/** Parse and validate gallery.json text; never throws. */
export function parseDemoGallery(input: string): DemoGalleryParseResult {
  try {
    if (typeof input !== 'string' || input.trim() === '') return fail('The demo gallery file is empty.');
    if (input.length > MAX_DEMO_GALLERY_CHARS) return fail(`The demo gallery file is ${input.length} characters; at most ${MAX_DEMO_GALLERY_CHARS} are read.`);
    let parsed: ReturnType<typeof parseJsonNotingHostileKeys>;
    try {
      parsed = parseJsonNotingHostileKeys(input);
    } catch (err) {
      return fail(`The demo gallery file is not JSON (${err instanceof Error ? err.message : String(err)}).`);
    }
    const { data, hostile } = parsed;
    if (hostile !== null) return fail(`The demo gallery file contains a forbidden field name ("${hostile}").`);
    if (!isPlainObject(data) || data['format'] !== DEMO_GALLERY_FORMAT) return fail(`This is not a demo gallery file (its "format" is not "${DEMO_GALLERY_FORMAT}").`);
    const version = data['version'];
    if (version !== DEMO_GALLERY_VERSION) {
      return fail(typeof version === 'number' && version > DEMO_GALLERY_VERSION
        ? `The demo gallery was made by a newer Router-R1 Studio (version ${version}; this app reads version ${DEMO_GALLERY_VERSION}).`
        : `Unknown demo gallery version ${String(version)}; this app reads version ${DEMO_GALLERY_VERSION}.`);
    }
    const gallery = decodeRecord(DEMO_GALLERY_FIELDS, data, 'gallery', [], 'file') as unknown as DemoGallery;
    const seen = new Set<string>();
    for (const e of gallery.entries) {
      if (seen.has(e.id)) return fail(`The demo gallery has two entries with the id "${e.id}".`);
      seen.add(e.id);
    }
    return { ok: true, gallery };
  } catch (err) {
    if (err instanceof SchemaDecodeError) return fail(`The demo gallery has an invalid value: ${err.path} ${err.reason}.`);
    return fail(`The demo gallery could not be read (${err instanceof Error ? err.message : String(err)}).`);
  }
}
