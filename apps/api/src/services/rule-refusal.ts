import { AppError, type Decision } from '@pbx-sms/core';

/** The request's names for the fields rule 7 checks (the action API and REST differ). */
export interface FieldNames {
  to: string;
  body: string;
}

/**
 * The answer for a failed rule: documented cases answer their documented bytes (AppError's
 * body ignores the detail for them); ours name the field or, for message_too_long, the count.
 */
export function refusal(decision: Extract<Decision, { allowed: false }>, fields: FieldNames, present: { to: boolean; body: boolean } = { to: true, body: true }): AppError {
  switch (decision.code) {
    case 'invalid_number':
      return new AppError('invalid_number', present.to ? `${fields.to}: must be a valid +E.164 number, e.g. +14165551234` : `${fields.to}: is missing`);
    case 'invalid_body':
      return new AppError('invalid_body', present.body ? `${fields.body}: ${decision.blockedBy.explanation}` : `${fields.body}: is missing`);
    default:
      return new AppError(decision.code, decision.blockedBy.explanation);
  }
}
