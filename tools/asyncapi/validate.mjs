// Judge an AsyncAPI document with AsyncAPI's own parser: exit 1 on any error, naming each.
import { Parser, fromFile } from '@asyncapi/parser';

const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, process.argv[2]).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  const level = ['error', 'warning', 'info', 'hint'][d.severity];
  console.log(`${level} ${d.code} ${JSON.stringify(d.path)} ${d.message}`);
}
if (!document || errors.length) {
  console.log(`INVALID: ${errors.length} errors`);
  process.exit(1);
}
const channels = document.channels().length;
const operations = document.operations().length;
const messages = document.components().messages().length;
console.log(`valid: ${channels} channels, ${operations} operations, ${messages} messages`);
