/**
 * The test run's key folder for the catalogs' protection keys (see src/catalog/protection.ts):
 * outside the developer's own state folder, shared by every catalog, master and CLI the tests start
 * (they inherit the environment), so that one key is generated per machine rather than per catalog.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.SCALEOUT_KEY_FOLDER ||= join(tmpdir(), 'scaleout-test-keys');

export const TEST_KEY_FOLDER = process.env.SCALEOUT_KEY_FOLDER;
