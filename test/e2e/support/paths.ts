import { join } from 'node:path';
import { PROJECT_ROOT, PROJECT_TMP } from '../../../src/dev/project-root';

/** Builds of the e2e runs; gitignored (.tmp/). */
export const E2E_TMP = join(PROJECT_TMP, 'e2e');

/** Screenshots and other files a run leaves for people to look at; gitignored. */
export const ARTIFACTS_DIR = join(PROJECT_ROOT, 'test-artifacts');
