/** The product's version: package.json's, the same from src/ (tsx) and dist/ (compiled): the CLI's --version, the agent's and the master's. */

import { readFileSync } from 'node:fs';

export const PRODUCT_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
