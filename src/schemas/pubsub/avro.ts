import avro from 'avsc';

/** An Avro event schema as Salesforce serves it (`GetSchema` / `/event/eventSchema/{id}`), compiled once. */
export interface EventCodec {
  readonly schemaId: string;
  encode(payload: Readonly<Record<string, unknown>>): Buffer;
  decode(bytes: Buffer): Record<string, unknown>;
}

interface AvroField {
  name: string;
  type: unknown;
}

/** The non-null branch of a field's type (`["null", T]` for every custom field). */
function valueType(type: unknown): unknown {
  return Array.isArray(type) ? type.find((branch) => branch !== 'null') : type;
}

function logical(type: unknown): string | undefined {
  return typeof type === 'object' && type !== null ? (type as { logicalType?: string }).logicalType : undefined;
}

const DAY_MS = 86_400_000;

/** JSON payload value (as CometD delivers it) → Avro value: dates and datetimes travel as numbers in Avro. */
function toAvro(type: unknown, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const kind = logical(type);
  if (kind === 'timestamp-millis' || type === 'long') return typeof value === 'string' ? Date.parse(value) : value;
  if (kind === 'date')
    return typeof value === 'string' ? Math.round(Date.parse(`${value.slice(0, 10)}T00:00:00Z`) / DAY_MS) : value;
  return value;
}

/** Avro value → the JSON value CometD would have delivered. */
function fromAvro(name: string, type: unknown, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const kind = logical(type);
  if (kind === 'timestamp-millis' || (name === 'CreatedDate' && typeof value === 'number'))
    return new Date(value as number).toISOString();
  if (kind === 'date') return new Date((value as number) * DAY_MS).toISOString().slice(0, 10);
  return value;
}

/** Compiles an event schema document; throws a clear error when it is not a record schema. */
export function eventCodec(schemaId: string, schema: Readonly<Record<string, unknown>>): EventCodec {
  const fields = schema.fields as AvroField[] | undefined;
  if (schema.type !== 'record' || !Array.isArray(fields))
    throw new Error(`event schema ${schemaId} is not an Avro record`);
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });
  const wrap = (field: AvroField, value: unknown): unknown => toAvro(valueType(field.type), value);
  return {
    schemaId,
    encode(payload) {
      const record: Record<string, unknown> = {};
      for (const field of fields) record[field.name] = wrap(field, payload[field.name]);
      return type.toBuffer(record);
    },
    decode(bytes) {
      const record = type.fromBuffer(bytes) as Record<string, unknown>;
      const payload: Record<string, unknown> = {};
      for (const field of fields) payload[field.name] = fromAvro(field.name, valueType(field.type), record[field.name]);
      return payload;
    },
  };
}
