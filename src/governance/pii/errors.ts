import { PermanentError } from '../../errors.ts';

/** Masking could not be done safely (vault unreadable, bad configuration, detector failure): the turn must be blocked. */
export class PiiMaskingError extends PermanentError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, category: 'PiiMasking' });
  }
}
