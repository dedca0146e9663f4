/**
 * Typed application errors. Every message is Chinese and says what was wrong and how to fix it;
 * `code` is a stable English identifier that clients and documents may rely on.
 */
export interface Problem {
  /** Where: a JSON path ('body.name'), or a spreadsheet cell ('row 5, column 统一社会信用代码'). */
  path?: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, problems: Problem[] = [], code = 'VALIDATION_FAILED') {
    super(400, code, message, problems);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super(409, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = 'FORBIDDEN', problems: Problem[] = []) {
    super(403, code, message, problems);
  }
}
