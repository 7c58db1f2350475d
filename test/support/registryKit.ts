// Shared imports for the registry integration tests.
import { TEST_SEED } from '../services';

export * from '../../src/core/registry';
export * from '../../src/core/credentials';

/** Tags per repository of the test seed. */
export const TEST_SEED_TAGS: Record<string, string[]> = Object.fromEntries(
  TEST_SEED.repos.map((r) => [r.repository, r.tags.map((t) => t.tag)]),
);
