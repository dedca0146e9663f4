/** GET /api/v1/openapi.json: the machine-readable description of this API. */
import { defineOperation, type Operation } from '../operation.ts';
import { OpenApiDocument } from '../schemas.ts';

/** `document` is passed in because the document describes every operation, this one included. */
export function openapiOperations(document: () => unknown): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'openapi',
      access: 'public',
      tag: 'meta',
      summary: '本 API 的 OpenAPI 3.1 文档',
      responses: { 200: { description: 'OpenAPI 3.1 文档', schema: OpenApiDocument } },
      async handle() {
        return { body: document() };
      },
    }),
  ];
}

