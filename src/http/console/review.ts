/** Console pages: review. */
import type { Router } from 'express';
import type { ConsoleDeps } from './kit.ts';

export function registerReview(_router: Router, _deps: ConsoleDeps): void {}
