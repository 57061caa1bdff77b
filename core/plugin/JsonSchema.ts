/** A JSON Schema object (draft 2020-12 subset ajv understands). Kept loose on purpose: schemas are data. */
export interface JsonSchemaObject {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Readonly<Record<string, unknown>>;
  readonly [keyword: string]: unknown;
}
