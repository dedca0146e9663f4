/** Console pages: registry. */
import type { Router } from 'express';
import type { ConsoleDeps } from './kit.ts';

export function registerRegistry(_router: Router, _deps: ConsoleDeps): void {}
