import type { YamlDocument } from './yamlTree';

/** Placeholder until the fast reader lands: always declines. */
export function readSimpleYaml(_text: string): YamlDocument[] | null {
  return null;
}
