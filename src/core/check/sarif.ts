// SARIF 2.1.0 for code-scanning upload (GitHub and others): one rule per finding code, one result per finding
// worth attention (update, digest-changed, unpinned, error), at the reference's range. SARIF lines and columns are
// one-based and `endColumn` is the column after the region, so zero-based end-exclusive ranges map as +1 / +1.
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import { createHash } from 'node:crypto';
import { familiarName } from '../reference';
import type { Range } from '../extract';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../product';
import { FINDING_CODES, type Finding, type FindingCode, type FindingStatus } from './types';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Record<FindingStatus, SarifLevel | null> = {
  update: 'warning',
  'digest-changed': 'warning',
  unpinned: 'note',
  error: 'error',
  current: null,
  skipped: null,
};

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** Zero-based, end-exclusive -> SARIF's one-based lines and columns (endColumn: the column after the region). */
export function sarifRegion(range: Range): SarifRegion {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

export interface SarifOptions {
  /** A file's path as the SARIF consumer knows it: relative to the repository root, `/`-separated. */
  relativePath: (file: string) => string;
  informationUri?: string;
}

/** The SARIF log for a check (a plain object: `JSON.stringify` it). */
export function toSarif(findings: readonly Finding[], options: SarifOptions): Record<string, unknown> {
  const reported = findings.filter((f) => LEVEL[f.status] !== null);
  const codes: FindingCode[] = [...new Set(reported.map((f) => f.code))].sort();
  const rules = codes.map((code) => ({
    id: code,
    name: code.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: FINDING_CODES[code].title },
    defaultConfiguration: { level: LEVEL[FINDING_CODES[code].status] ?? 'note' },
    properties: { status: FINDING_CODES[code].status },
  }));
  const results = reported.map((f) => {
    const file = options.relativePath(f.occurrence.file);
    const ref = f.occurrence.reference;
    const image = ref ? familiarName(ref) : f.occurrence.text;
    const fingerprint = createHash('sha256')
      .update(`${file}\n${f.occurrence.range.start.line}\n${image}\n${f.code}`)
      .digest('hex')
      .slice(0, 32);
    return {
      ruleId: f.code,
      ruleIndex: codes.indexOf(f.code),
      level: LEVEL[f.status] ?? 'note',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' },
            region: sarifRegion(f.occurrence.range),
          },
        },
      ],
      partialFingerprints: { 'registryLens/v1': fingerprint },
      properties: {
        image,
        status: f.status,
        updates: f.updates,
        ...(f.error ? { error: { code: f.error.code, message: f.error.message } } : {}),
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: PRODUCT_NAME,
            version: PRODUCT_VERSION,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The folder the check ran in' } } },
        results,
      },
    ],
  };
}
