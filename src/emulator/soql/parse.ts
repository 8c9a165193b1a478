/** Parses SOQL with soql-parser-js and turns its chevrotain errors into Salesforce's MALFORMED_QUERY format. */
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query } from '@jetstreamapp/soql-parser-js';
import { locate, queryError } from './query-error.ts';

export function parseSoql(soql: string): Query {
  if (soql.trim() === '') throw queryError(soql, 0, 'MALFORMED_QUERY', "unexpected token: '<EOF>'");
  try {
    return parseQuery(soql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const { offset, token } = errorPosition(soql, message);
    throw queryError(soql, offset, 'MALFORMED_QUERY', `unexpected token: '${token}'`);
  }
}

/** The parser drops token positions; recover them from the message text. */
function errorPosition(soql: string, message: string): { offset: number; token: string } {
  const lexing = /at offset: (\d+)/.exec(message);
  if (lexing) {
    const offset = Number(lexing[1]);
    return { offset, token: soql.slice(offset, offset + 1) };
  }
  const found = /but found(?::| -->) '([^']*)'/.exec(message);
  const image = found?.[1] ?? '';
  if (image === '') return { offset: soql.trimEnd().length, token: '<EOF>' };
  const selectAt = soql.search(/\S/);
  const offset = /^\w+$/.test(image) ? locate(soql, image, selectAt + 1) : soql.indexOf(image, selectAt + 1);
  return { offset: Math.max(offset, 0), token: image };
}
