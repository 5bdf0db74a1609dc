// Checks a PowerSync config file against the service's own JSON schema (npm @powersync/service-schema).
// The !env tags are read as strings (PowerSync resolves them from PS_* variables at start).
// Usage: node powersync-config.cjs FILE ; prints the errors and exits 1 when invalid.
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const Ajv = require('ajv');

const schema = JSON.parse(fs.readFileSync(path.join(process.env.NODE_PATH, '@powersync/service-schema/json-schema/powersync-config.json'), 'utf8'));
const env = { tag: '!env', resolve: (value) => `env:${value}` };
const config = YAML.parse(fs.readFileSync(process.argv[2], 'utf8'), { customTags: [env] });
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
if (!validate(config)) {
  for (const error of validate.errors) console.log(`${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
  process.exit(1);
}
console.log(JSON.stringify(config));
