import type { z } from 'zod';

export type ErrorCode =
  | 'invalid_payload'
  | 'not_found'
  | 'busy'
  | 'cancelled'
  | 'engine_crashed'
  | 'unavailable'
  | 'forbidden'
  /** an output already exists and the caller did not ask to overwrite it */
  | 'exists'
  | 'internal';

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  /** dotted path of the offending field, e.g. "params.split.1" */
  field?: string;
}

/** An error that crosses process boundaries intact (it serialises to ErrorShape). */
export class ContractError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ContractError';
    this.code = code;
    this.field = field;
  }
  toShape(): ErrorShape {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
  static from(shape: ErrorShape): ContractError {
    return new ContractError(shape.code, shape.message, shape.field);
  }
}

/** Turns any thrown value into a shape fit to send; unknown errors keep their message, not their stack. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof ContractError) return err.toShape();
  if (err instanceof Error && err.name === 'CancelledError') return { code: 'cancelled', message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

/** The first zod issue as `field.path: message` (`root` names an issue of the whole value), or null when there is none. */
export function firstIssue(error: z.ZodError, root = ''): string | null {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || root}: ${issue.message}` : null;
}

/** The first zod issue as one line that names the field: `params.fraction: Too big: expected number to be <=1`. */
export function zodToContractError(error: z.ZodError, prefix: string): ContractError {
  const issue = error.issues[0];
  if (!issue) return new ContractError('invalid_payload', `${prefix}: invalid`, prefix);
  const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const field = [base, keys[0]].filter(Boolean).join('.');
    return new ContractError('invalid_payload', `${field}: unexpected field${keys.length > 1 ? `s ${keys.join(', ')}` : ''}`, field);
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return new ContractError('invalid_payload', `${base}: required field is missing`, base);
  }
  return new ContractError('invalid_payload', `${base}: ${issue.message}`, base);
}
