/** Per test file: an uploads folder of its own (IMPORT_DIR), removed when the file's process exits. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-imports-'));
process.env.IMPORT_DIR = dir;
process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
