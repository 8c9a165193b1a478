/**
 * Deterministic yes/no detection for a pending confirmation answered by chat message. The model never decides this.
 * A message is a decision only when, after normalisation (case, accents, surrounding punctuation, emoji 👍/👎, a
 * polite "please"/"thanks"), it is EXACTLY one of the forms below. Anything longer, mixed or a question ("yes but
 * change the amount", "no idea", "ok?") is not a decision: the pending confirmation is superseded and the message is handled as
 * a new request.
 */
const YES = [
  // English
  'yes',
  'y',
  'yep',
  'yeah',
  'yup',
  'sure',
  'ok',
  'okay',
  'confirm',
  'confirmed',
  'i confirm',
  'go ahead',
  'do it',
  'proceed',
  'approve',
  'approved',
  'yes please',
  'yes do it',
  'yes go ahead',
  'yes confirm',
  'sounds good',
  'correct',
  'affirmative',
  // French, Spanish, Portuguese, Italian, German, Dutch
  'oui',
  'oui vas y',
  'je confirme',
  'confirmer',
  'd accord',
  'si',
  'sí',
  'claro',
  'confirmo',
  'adelante',
  'sim',
  'pode',
  'va bene',
  'certo',
  'ja',
  'jawohl',
  'bestätigen',
  'bestätige',
  'ich bestätige',
  'mach es',
  'ja graag',
  'bevestig',
].map(normalise);

const NO = [
  'no',
  'n',
  'nope',
  'nah',
  'cancel',
  'stop',
  'abort',
  'decline',
  'declined',
  'reject',
  'don t',
  'do not',
  'dont',
  'no thanks',
  'no thank you',
  'no cancel',
  'no dont',
  'no don t',
  'cancel it',
  'never mind',
  'nevermind',
  'not now',
  'non',
  'annuler',
  'annule',
  'no gracias',
  'cancelar',
  'não',
  'nao',
  'annulla',
  'nein',
  'abbrechen',
  'nee',
  'annuleren',
].map(normalise);

export type ConfirmIntent = 'yes' | 'no' | null;

export function classifyConfirmation(message: string): ConfirmIntent {
  // A question ("ok?") asks something; it does not decide anything.
  if (message.length > 80 || /[?¿？]/u.test(message)) return null;
  let text = message.replace(/👍|✅|✔️?/gu, ' yes ').replace(/👎|❌|✖️?/gu, ' no ');
  text = normalise(text)
    .replace(/^(please|pls|ok so|well)\s+/, '')
    .replace(/\s+(please|pls|thanks|thank you|merci|gracias|danke|bitte)$/, '');
  if (YES.includes(text)) return 'yes';
  if (NO.includes(text)) return 'no';
  // Repeated answers ("yes yes", "no no no") are still unambiguous.
  const words = text.split(' ');
  if (words.length > 1 && words.length <= 3 && words.every((word) => word === words[0])) {
    if (YES.includes(words[0] ?? '')) return 'yes';
    if (NO.includes(words[0] ?? '')) return 'no';
  }
  return null;
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[’']/g, ' ')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
