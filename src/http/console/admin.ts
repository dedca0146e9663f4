/** Console pages: admin. */
import type { Router } from 'express';
import type { ConsoleDeps } from './kit.ts';

export function registerAdmin(_router: Router, _deps: ConsoleDeps): void {}
