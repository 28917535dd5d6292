import { isValidE164 } from './phone';
import { measureMessage } from './segments';

/**
 * The first use of the phone-number metadata and of the segment calculator each costs tens to
 * hundreds of milliseconds. Processes call this at start-up, so that the first requests or
 * events after a start do not pay it.
 */
export function warmUpRules(): void {
  isValidE164('+14165551234');
  measureMessage('warm-up é');
}
