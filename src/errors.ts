/** Base of every error Loom raises on purpose. `retryable` decides whether a job is retried. */
export class LoomError extends Error {
  readonly retryable: boolean;
  readonly category: string;

  constructor(message: string, options: { category?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = options.category ?? 'Internal';
    this.retryable = options.retryable ?? false;
  }
}

/** A transient failure (network, 5xx, 429): safe to retry with backoff. */
export class TransientError extends LoomError {
  constructor(message: string, options: { category?: string; cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** A permanent failure: retrying cannot help (bad input, refused access, invalid configuration). */
export class PermanentError extends LoomError {
  constructor(message: string, options: { category?: string; cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** Configuration that does not validate; the message names the variable. */
export class ConfigError extends PermanentError {
  constructor(message: string) {
    super(message, { category: 'Configuration' });
  }
}
