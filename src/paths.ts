/** Where Papertide's own files are (the checkout or installed package), independent of the working directory. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_FILE = path.join(ROOT_DIR, 'demo', 'demo-papers.jsonl');
