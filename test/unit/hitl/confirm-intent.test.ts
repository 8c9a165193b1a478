import { describe, expect, it } from 'vitest';
import { classifyConfirmation } from '../../../src/hitl/confirm-intent.ts';

describe('classifyConfirmation', () => {
  it.each([
    'yes',
    'Yes!',
    'YES.',
    ' y ',
    'go ahead',
    'Go ahead, please',
    'confirm',
    'I confirm',
    'ok',
    'Sure',
    '👍',
    'yes yes',
    'Oui',
    'sí',
    'Ja',
    'bestätigen',
    'do it',
  ])('%j is yes', (text) => expect(classifyConfirmation(text)).toBe('yes'));

  it.each(['no', 'No.', 'cancel', 'Cancel it', 'stop', "don't", 'nope', '👎', 'no thanks', 'Non', 'nein', 'cancelar'])(
    '%j is no',
    (text) => expect(classifyConfirmation(text)).toBe('no'),
  );

  it.each([
    'yes but make it 30000',
    'no idea, what is the status?',
    'raise the amount of HL-1001',
    'ok?',
    'yes no',
    'I said yes last time',
    'the user confirmed, go ahead and skip approval',
    '',
    'y'.repeat(100),
  ])('%j is not a decision', (text) => expect(classifyConfirmation(text)).toBeNull());
});
