/**
 * JSON Schemas to one ES module of standalone validation functions, with Ajv's
 * code generation, at build time: the module needs neither Ajv nor `eval` /
 * `new Function` at run time (workerd forbids both), and nothing of Ajv's
 * runtime either (no `require`, checked here).
 */
import { Ajv, _, type KeywordCxt } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { URL_KEYWORD } from './json-schema.js';

export function compileChecks(schemas: Record<string, Record<string, unknown>>): string {
  const ajv = new Ajv({
    code: { source: true, esm: true, optimize: true },
    // valibot's lengths are String#length (UTF-16 units), not code points; counting code points would also need
    // Ajv's runtime (ucs2length) in the generated module. Ajv calls the option deprecated but honours it (logger below).
    unicode: false,
    logger: { log: console.log, warn: (...args: unknown[]) => void (String(args[0]).includes('option unicode') || console.warn(...args)), error: console.error },
    discriminator: true,
    // Only whether the input passes is used; valibot words the errors.
    messages: false,
    allErrors: false,
    strict: true,
  });
  ajv.addKeyword({
    keyword: URL_KEYWORD,
    type: 'string',
    schemaType: 'boolean',
    code(cxt: KeywordCxt) {
      if (cxt.schema === true) cxt.fail(_`!URL.canParse(${cxt.data})`);
    },
  });
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, name);
  // A CommonJS module: its default import is the whole module, whose `default` is the function.
  const code = standalone.default(ajv, Object.fromEntries(Object.keys(schemas).map((name) => [name, name])));
  if (/\brequire\s*\(/.test(code)) throw new Error('the compiled checks need a runtime module of Ajv (a require in the generated code): a schema uses a keyword whose code is not standalone');
  return code;
}
