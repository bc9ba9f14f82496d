/** Exposes the error-code enum in the schema, so clients can see every `extensions.code` value. */
import { ERROR_CODE_DESCRIPTIONS, ErrorCode } from '../errors.js';
import { builder } from './builder.js';

builder.enumType('ErrorCode', {
  description:
    'Every value slotgraph puts in `errors[].extensions.code`. No field returns this type; it documents the codes.',
  values: Object.fromEntries(
    Object.values(ErrorCode).map((code) => [code, { value: code, description: ERROR_CODE_DESCRIPTIONS[code] }]),
  ) as Record<ErrorCode, { value: ErrorCode; description: string }>,
});
