// The seed sets: which repositories and tags the test environment pushes. Pure data, importable by any tier
// (extension tests import it to know the expected tags without starting anything).
import type { RegistryName, SeedSetName } from './types';

/** docker: Docker image manifest v2; oci: OCI image manifest; docker-list / oci-index: multi-platform. */
export type SeedKind = 'docker' | 'oci' | 'docker-list' | 'oci-index';

export interface SeedTag {
  tag: string;
  kind: SeedKind;
  /** Identical content to this other tag of the same repository (so the same digest), e.g. latest → 2.0.0. */
  sameAs?: string;
  /** For lists/indexes; default MULTI_PLATFORMS. Single images are linux/amd64. */
  platforms?: string[];
}

export interface SeedRepo {
  repository: string;
  tags: SeedTag[];
}

export interface SeedSet {
  name: SeedSetName;
  /** 'all' = every started registry. */
  registries: 'all' | RegistryName[];
  repos: SeedRepo[];
}

export const MULTI_PLATFORMS = ['linux/amd64', 'linux/arm64/v8'];
export const SINGLE_PLATFORM = 'linux/amd64';

/** Users known to the htpasswd registries and the token server. `reader` only ever gets pull access from the token server. */
export const TEST_USER = { username: 'testuser', password: 'testpass', access: 'all' as const };
export const READER_USER = { username: 'reader', password: 'readerpass', access: 'pull' as const };
export const TEST_USERS = [TEST_USER, READER_USER];

export const TOKEN_SERVICE = 'registry-lens-test';
export const TOKEN_ISSUER = 'registry-lens-test-issuer';

/** Label every seeded image carries: org.opencontainers.image.source = SOURCE_URL(repository). */
export const SOURCE_URL = (repository: string): string => `https://example.invalid/${repository}`;

const d = (tag: string, sameAs?: string): SeedTag => ({ tag, kind: 'docker', ...(sameAs ? { sameAs } : {}) });
const list = (tag: string, sameAs?: string): SeedTag => ({ tag, kind: 'docker-list', ...(sameAs ? { sameAs } : {}) });

export const TEST_SEED: SeedSet = {
  name: 'test',
  registries: 'all',
  repos: [
    {
      repository: 'test/app',
      tags: [d('1.0.0'), d('1.1.0'), d('1.1.1'), d('1.2.0'), d('1.2.0-alpine'), d('2.0.0'), d('latest', '2.0.0')],
    },
    {
      repository: 'test/multi',
      tags: [list('2.0.0'), { tag: '2.0.0-oci', kind: 'oci-index' }, list('2.1.0')],
    },
    {
      repository: 'test/oci',
      tags: [{ tag: '1.0.0', kind: 'oci' }],
    },
  ],
};

export const DEMO_SEED: SeedSet = {
  name: 'demo',
  registries: ['anon'],
  repos: [
    {
      repository: 'demo/node',
      tags: [
        d('18.19.0'),
        d('20.11.0'),
        d('20.11.1'),
        d('20.12.2'),
        d('22.3.0'),
        d('20.11.0-alpine'),
        d('20.12.2-alpine'),
        d('20-alpine', '20.12.2-alpine'),
        d('latest', '22.3.0'),
      ],
    },
    {
      repository: 'demo/python',
      tags: [d('3.12.3-slim'), d('3.12-slim', '3.12.3-slim'), d('3.13.1-slim'), d('3.13-slim', '3.13.1-slim')],
    },
    {
      repository: 'demo/nginx',
      tags: [d('1.25.3'), d('1.25.4'), d('1.27.1'), d('1.27.1-alpine'), d('stable', '1.25.4'), d('latest', '1.27.1')],
    },
    {
      repository: 'demo/postgres',
      tags: [d('15.6'), d('15.7'), d('16.3'), d('17.0')],
    },
    {
      repository: 'demo/redis',
      tags: [list('7.2.4'), list('7.2.5'), list('7.4.0')],
    },
  ],
};

export const SEED_SETS: Record<SeedSetName, SeedSet> = { test: TEST_SEED, demo: DEMO_SEED };

/** The tags of a repository in a seed set, in seed order (the registry's tags/list order is not this). */
export function seedTags(set: SeedSetName, repository: string): string[] {
  const repo = SEED_SETS[set].repos.find((r) => r.repository === repository);
  if (!repo) throw new Error(`no repository ${repository} in seed set ${set}`);
  return repo.tags.map((t) => t.tag);
}

/** The platforms of a seeded tag ('linux/amd64' for single images). */
export function seedPlatforms(tag: SeedTag): string[] {
  return tag.kind === 'docker' || tag.kind === 'oci' ? [SINGLE_PLATFORM] : (tag.platforms ?? MULTI_PLATFORMS);
}
