/**
 * The parts of a YAML document the compose extractor reads, with aliases already resolved: an alias slot holds
 * the very node its anchor names (so one written image used by several services stays one object), `null` when
 * no anchor of that name comes before it. Offsets are into the parsed text. Two readers build it: the `yaml`
 * library (any YAML, with its errors) and `readSimpleYaml` (the block-style subset compose files are written in,
 * several times faster; it declines anything else).
 */
export type YamlNode = YamlScalar | YamlMap | YamlSeq;

/** A slot's content: a node, `null` for an alias naming no earlier anchor, `undefined` for no node at all. */
export type YamlSlot = YamlNode | null | undefined;

export interface YamlScalar {
  kind: 'scalar';
  /** As the YAML 1.2 core schema resolves it (plain `1.5` is a number, `~` is null; quoted is always a string). */
  value: string | number | boolean | null;
  style: 'plain' | 'single' | 'double' | 'block';
  /** The scalar as written, quotes included, trailing blanks and comments excluded. */
  start: number;
  end: number;
}

export interface YamlMap {
  kind: 'map';
  start: number;
  /** Pairs whose key is a scalar, in order (duplicates kept); other keys cannot name anything compose reads. */
  pairs: YamlPair[];
}

export interface YamlPair {
  /** The key's value as text (`1` for the number 1). */
  key: string;
  /** A plain `<<`: a merge key. */
  merge: boolean;
  value: YamlSlot;
}

export interface YamlSeq {
  kind: 'seq';
  start: number;
  items: YamlSlot[];
}

export interface YamlDocument {
  root: YamlSlot;
  errors: { offset: number; message: string }[];
}
