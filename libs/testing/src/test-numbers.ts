/** Phone numbers from DESIGN.md every test uses: valid ones, and one libphonenumber refuses (no such area code). */

/** The tenant's sender number. */
export const SENDER = '+14165550100';
/** Extension 1001's SMS number: where its voicemail notifications and the REST sends go. */
export const DEST = '+14165551234';
/** A second valid destination. */
export const OTHER_DEST = '+12015550150';
export const INVALID_NUMBER = '+15555550100';
