/** Console pages: assignments. */
import type { Router } from 'express';
import type { ConsoleDeps } from './kit.ts';

export function registerAssignments(_router: Router, _deps: ConsoleDeps): void {}
