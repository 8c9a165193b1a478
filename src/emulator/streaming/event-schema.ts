import type { FieldDef, ObjectDef } from '../org/model.ts';

/** Avro type of an event field, as `GET /event/eventSchema/{id}` reports it. */
function avroType(field: FieldDef): unknown {
  switch (field.type) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'double';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'datetime':
      return { type: 'long', logicalType: 'timestamp-millis' };
    default:
      return 'string';
  }
}

/**
 * The compact Avro schema of an event object (what `/services/data/vXX.X/event/eventSchema/{schemaId}` returns):
 * the two platform fields, then every custom field as an optional union with a null default.
 */
export function eventSchemaDocument(object: ObjectDef, schemaId: string): Record<string, unknown> {
  const custom = object.fields.filter((field) => field.custom);
  return {
    name: object.name,
    namespace: 'com.sforce.eventbus',
    type: 'record',
    fields: [
      { name: 'CreatedDate', type: 'long', doc: 'CreatedDate:DateTime' },
      { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' },
      ...custom.map((field) => ({
        name: field.name,
        type: ['null', avroType(field)],
        doc: `Data:${field.type}`,
        default: null,
      })),
    ],
    uuid: schemaId,
  };
}
