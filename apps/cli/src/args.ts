import { AppError } from '@pbx-sms/core';

/** `yes|no|true|false|on|off` → boolean; anything else names the flag in the error. */
export function parseBool(flag: string, value: string | undefined): boolean {
  if (value === undefined) throw new AppError('invalid_request', `--${flag}: required (yes or no)`);
  const v = value.toLowerCase();
  if (['yes', 'true', 'on', '1', 'y'].includes(v)) return true;
  if (['no', 'false', 'off', '0', 'n'].includes(v)) return false;
  throw new AppError('invalid_request', `--${flag}: expected yes or no, got ${JSON.stringify(value)}`);
}

/** `none` or empty → null. */
export function parseNullable(value: string | undefined): string | null {
  return value === undefined || value === '' || value.toLowerCase() === 'none' ? null : value;
}
