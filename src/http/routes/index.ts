/** Every resource's operations, in the order the document lists them. */
import type { Operation } from '../operation.ts';
import { buildOpenApiDocument } from '../openapi.ts';
import { healthOperations } from './health.ts';
import { objectOperations } from './objects.ts';
import { inspectorOperations } from './inspectors.ts';
import { departmentOperations } from './departments.ts';
import { matterOperations } from './matters.ts';
import { importOperations } from './imports.ts';
import { exportOperations } from './exports.ts';
import { drawOperations } from './draws.ts';
import { planOperations } from './plans.ts';
import { authOperations } from './auth.ts';
import { resultOperations } from './results.ts';
import { openapiOperations } from './openapi.ts';
import { publicOperations } from './public.ts';

/** One group per resource, in the order the document lists them (the app mounts them as one router). */
export function operationGroups(): Operation[][] {
  return [
    authOperations,
    objectOperations,
    inspectorOperations,
    departmentOperations,
    matterOperations,
    importOperations,
    exportOperations,
    drawOperations,
    planOperations,
    resultOperations,
    publicOperations,
    healthOperations,
    openapiOperations(openApiDocument),
  ];
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI document of the whole API (built once; the operations do not change at run time). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument(operationGroups().flat());
  return cached;
}
