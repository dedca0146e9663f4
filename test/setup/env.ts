/** Per test file: an uploads folder of its own (IMPORT_DIR), removed when the file's process exits. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-imports-'));
process.env.IMPORT_DIR = dir;
process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

/** Per test file: an attachments folder of its own (ATTACHMENT_DIR), removed likewise. */
const attachments = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-attachments-'));
process.env.ATTACHMENT_DIR = attachments;
process.once('exit', () => fs.rmSync(attachments, { recursive: true, force: true }));
