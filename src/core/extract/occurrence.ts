import { detachString, recentResults } from '../util';
import { occurrenceDirectiveComments } from './directiveComments';
import { isInvalidReferenceError, parseReferenceWithSpans, type InvalidReferenceError } from '../reference';
import type { SourceText } from './sourceText';
import type { Expansion } from './substitute';
import type { Location, Occurrence, OccurrenceKind, OccurrenceSource, Skip, StageInfo } from './types';

export interface OccurrenceSite {
  src: SourceText;
  source: OccurrenceSource;
  kind: OccurrenceKind;
  /** Offsets of the reference as written. */
  start: number;
  end: number;
  platform?: string | null;
  stage?: StageInfo | null;
  services?: string[];
}

/**
 * Builds an occurrence from where it is written and what it expands to. `skip` wins when given (stage alias,
 * scratch, built locally); otherwise unresolved variables, then the parser's verdict, decide.
 */
export function makeOccurrence(site: OccurrenceSite, expansion: Expansion, skip: Skip | null = null): Occurrence {
  const value = expansion.value.toString();
  const occurrence: Occurrence = {
    file: site.src.file,
    source: site.source,
    kind: site.kind,
    range: site.src.range(site.start, site.end),
    text: site.src.text.slice(site.start, site.end),
    value,
    reference: null,
    skip,
    tagLocation: null,
    digestLocation: null,
    tagSegments: null,
    variables: expansion.variables,
    platform: site.platform ?? null,
    stage: site.stage ?? null,
    services: site.services ?? [],
    directives: [],
  };
  // A locally built image, or one whose tag is set elsewhere, still names its repository: keep the reference.
  if (skip && skip.reason !== 'built-locally' && skip.reason !== 'tag-elsewhere') return occurrence;
  if (expansion.problem) {
    occurrence.skip = { reason: expansion.problem.reason, detail: expansion.problem.detail };
    return occurrence;
  }
  if (expansion.unresolved.length > 0) {
    occurrence.skip ??= { reason: 'unresolved-variable', detail: expansion.unresolved.join(', ') };
    return occurrence;
  }
  const parsed = parseCached(value);
  if (isInvalidReferenceError(parsed)) {
    occurrence.skip ??= { reason: 'invalid-reference', detail: parsed.message };
    return occurrence;
  }
  const { reference, spans } = parsed;
  occurrence.reference = reference;
  if (spans.tag) {
    const at = expansion.value.locate(spans.tag[0], spans.tag[1]);
    const segments = expansion.value.segments(spans.tag[0], spans.tag[1]);
    // A tag written in one piece (nearly all): its one segment shares the tag's location object (a large scan
    // holds tens of thousands of occurrences, and four objects less for each).
    const [only] = segments;
    if (at && segments.length === 1 && only?.location && sameLocation(only.location, at)) only.location = at;
    occurrence.tagLocation = at;
    occurrence.tagSegments = segments;
  }
  if (spans.digest) occurrence.digestLocation = expansion.value.locate(spans.digest[0], spans.digest[1]);
  occurrence.directives = directiveComments(occurrence, site.src, expansion);
  return occurrence;
}

/** The `registry-lens:` comments for an occurrence, read from the texts the extractor holds (its file, an `.env`). */
function directiveComments(occurrence: Occurrence, src: SourceText, expansion: Expansion): Occurrence['directives'] {
  // Almost no file has one: skip the search when no text this occurrence was read from mentions the marker.
  if (!src.mentionsDirective && !expansion.value.someSource((s) => s.file !== src.file && s.mentionsDirective))
    return [];
  return occurrenceDirectiveComments(occurrence, (file) => {
    const text = file === src.file ? src : expansion.value.sourceFor(file);
    return text?.mentionsDirective ? text.lines : undefined;
  });
}

function sameLocation(a: Location, b: Location): boolean {
  const [x, y] = [a.range, b.range];
  return (
    a.file === b.file &&
    x.start.line === y.start.line &&
    x.start.character === y.start.character &&
    x.end.line === y.end.line &&
    x.end.character === y.end.character
  );
}

/**
 * Makes every string an occurrence holds its own copy, so that it does not keep its file's text alive (V8 keeps a
 * slice's whole parent: see `detachString`). Its reference is one already (the parse cache copies its input).
 * Worth it for a large file with few images; a small file's text costs less than copies of its strings.
 */
export function detachOccurrenceStrings(o: Occurrence): void {
  o.text = detachString(o.text);
  o.value = detachString(o.value);
  for (const s of o.tagSegments ?? []) s.text = detachString(s.text);
  for (let i = 0; i < o.services.length; i++) o.services[i] = detachString(o.services[i]!);
  for (let i = 0; i < o.variables.length; i++) o.variables[i] = detachString(o.variables[i]!);
  for (const d of o.directives) d.text = detachString(d.text);
  if (o.platform !== null) o.platform = detachString(o.platform);
  if (o.stage?.name) o.stage = { ...o.stage, name: detachString(o.stage.name) };
  if (o.skip) o.skip = { ...o.skip, detail: detachString(o.skip.detail) };
}

type Parsed = ReturnType<typeof parseReferenceWithSpans> | InvalidReferenceError;

/**
 * Recent parses by input. A workspace names the same images over and over, parsing is pure, and its results
 * are immutable (readonly), so occurrences can share them: less work and a smaller heap for large scans.
 */
const parseCached = recentResults(4096, (value): Parsed => {
  try {
    return parseReferenceWithSpans(value);
  } catch (err) {
    if (!isInvalidReferenceError(err)) throw err;
    return err;
  }
});
