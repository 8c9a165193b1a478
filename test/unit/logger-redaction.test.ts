/** Issue 16, class 6: logged errors must not carry the field values an error message can echo. */
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.ts';
import { SalesforceError } from '../../src/salesforce/rest-client.ts';
import { captureLogger } from './llm/log-capture.ts';

const EMAIL = 'jane.doe@example.com';
const SSN = '078-05-1120';

function logged(err: unknown): { message: string; stack: string; whole: string } {
  const { logger, lines } = captureLogger();
  logger.error({ err }, 'tool failed');
  const line = lines[0] as { err: { message: string; stack: string } };
  return { message: line.err.message, stack: line.err.stack, whole: JSON.stringify(line) };
}

describe('logger error redaction', () => {
  it("withholds the org's error text (it echoes field values) and keeps the error code and field names", () => {
    const err = new SalesforceError(
      `Contact: invalid email address: ${EMAIL}; Notes__c: Customer SSN ${SSN}`,
      'INVALID_EMAIL_ADDRESS',
      { retryable: false, fields: ['Email'] },
    );
    const { message, stack, whole } = logged(err);
    expect(message).toContain('INVALID_EMAIL_ADDRESS');
    expect(message).toContain('Email');
    expect(whole).not.toContain(EMAIL);
    expect(whole).not.toContain(SSN);
    expect(whole).not.toContain('Customer SSN');
    expect(stack).toMatch(/\n\s+at /); // the stack frames stay for debugging
  });

  it('withholds org text inside a cause chain too', () => {
    const inner = new SalesforceError(
      `duplicate value found: External_Ref__c duplicates value HL-SECRET-7 on record`,
      'DUPLICATE_VALUE',
      { retryable: false },
    );
    const { whole } = logged(new PermanentError('Could not record the decision step', { cause: inner }));
    expect(whole).not.toContain('HL-SECRET-7');
    expect(whole).toContain('Could not record the decision step');
    expect(whole).toContain('DUPLICATE_VALUE');
  });

  it('masks PII patterns in the message and stack of any other error', () => {
    const { message, whole } = logged(new Error(`The tool failed: no contact with email ${EMAIL} and SSN ${SSN}`));
    expect(message).toMatch(/^The tool failed: no contact with email \[EMAIL\] and SSN \[SSN\]$/);
    expect(whole).not.toContain(EMAIL);
    expect(whole).not.toContain(SSN);
  });
});
