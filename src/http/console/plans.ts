/** Console pages: plans. */
import type { Router } from 'express';
import type { ConsoleDeps } from './kit.ts';

export function registerPlans(_router: Router, _deps: ConsoleDeps): void {}
