// Reads powersync.yaml as the PowerSync service does (YAML with !env tags resolved from the environment) and checks
// it against @powersync/service-schema of this stand-in's own version, which is the pinned image's version (they are
// released together: shared/reference/powersync-service-contract.md). Keys the schema does not know are refused:
// the real service would ignore them silently (an image before 1.20.0 given `sync_config:` runs with no sync rules).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { SqlSyncRules } from '@powersync/service-sync-rules';
import Ajv from 'ajv';
import YAML from 'yaml';

const require = createRequire(import.meta.url);
const schema = require('@powersync/service-schema/schema.json');
// the package's exports hide its package.json: read it beside the entry point
const schemaPackage = JSON.parse(readFileSync(resolve(dirname(require.resolve('@powersync/service-schema')), '..', 'package.json'), 'utf8'));

/** The version of the schema this stand-in checks with: the PowerSync image version it stands in for. */
export const SCHEMA_VERSION = schemaPackage.version;

export class ConfigError extends Error {}

function resolveRef(node) {
  if (!node?.$ref) return node;
  const path = node.$ref.replace(/^#\//, '').split('/');
  return resolveRef(path.reduce((at, key) => at?.[key], schema));
}

/** Object alternatives of a schema node: anyOf/oneOf branches, preferring those whose `type` const is the value's. */
function objectAlternatives(node, value) {
  node = resolveRef(node);
  const branches = (node.anyOf ?? node.oneOf ?? [node]).map(resolveRef).filter((branch) => branch?.properties);
  const typed = branches.filter((branch) => branch.properties.type?.const !== undefined && branch.properties.type.const === value?.type);
  return typed.length ? typed : branches;
}

/** Paths of the keys the schema does not declare anywhere (additionalProperties: true lets them through ajv). */
export function unknownKeys(value, node = schema, path = '') {
  node = resolveRef(node);
  if (Array.isArray(value)) {
    const items = node?.items ?? (node?.anyOf ?? []).map(resolveRef).find((branch) => branch?.items)?.items;
    return items ? value.flatMap((item, index) => unknownKeys(item, items, `${path}[${index}]`)) : [];
  }
  if (!value || typeof value !== 'object') return [];
  const alternatives = objectAlternatives(node, value);
  if (alternatives.length === 0) return [];
  const found = [];
  for (const [key, item] of Object.entries(value)) {
    const declared = alternatives.map((branch) => branch.properties[key]).filter(Boolean);
    if (declared.length === 0) found.push(path ? `${path}.${key}` : key);
    else found.push(...unknownKeys(item, declared.length === 1 ? declared[0] : { anyOf: declared }, path ? `${path}.${key}` : key));
  }
  return found;
}

/** The config with !env tags resolved (a missing variable is an error, as in the service). */
export function parseConfig(text, environment) {
  const missing = [];
  const env = {
    tag: '!env', resolve: (name) => {
      if (environment[name] === undefined) missing.push(name);
      return environment[name] ?? '';
    },
  };
  let config;
  try {
    config = YAML.parse(text, { customTags: [env] });
  } catch (error) {
    throw new ConfigError(`powersync.yaml: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  if (missing.length) throw new ConfigError(`powersync.yaml: !env ${missing.join(', ')} not set in the environment`);
  return config;
}

export function checkConfig(config) {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (!validate(config)) {
    const [first] = validate.errors;
    throw new ConfigError(`powersync.yaml: ${first.instancePath || '/'} ${first.message} (schema of PowerSync ${SCHEMA_VERSION})`);
  }
  const unknown = unknownKeys(config);
  if (unknown.length)
    throw new ConfigError(`powersync.yaml: ${unknown.join(', ')}: not a key of PowerSync ${SCHEMA_VERSION}, which would ignore it: use the keys of the pinned image's version`);
  if (!config.replication?.connections?.length) throw new ConfigError('powersync.yaml: replication.connections is empty: nothing to replicate');
  if (config.replication.connections.some((connection) => connection.type !== 'postgresql'))
    throw new ConfigError('powersync.yaml: replication.connections: the stand-in replicates postgresql only');
  if (config.storage?.type !== 'postgresql') throw new ConfigError('powersync.yaml: storage.type: the stand-in stores in postgresql only');
  if (!config.client_auth?.jwks_uri) throw new ConfigError('powersync.yaml: client_auth.jwks_uri is not set: no client could sign in');
  return config;
}

/** The sync config named by sync_config (path or content), or sync_rules where the version still reads it. */
export function loadSyncRules(config, configPath) {
  const source = config.sync_config ?? config.sync_rules;
  if (!source) throw new ConfigError('powersync.yaml: no sync_config: the service would run with no sync rules');
  let yaml = source.content;
  if (yaml === undefined && source.path) {
    const file = resolve(dirname(configPath), source.path);
    try {
      yaml = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`powersync.yaml: sync_config.path ${source.path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    }
  }
  const { config: rules, errors } = SqlSyncRules.fromYaml(yaml ?? '', { defaultSchema: 'public', throwOnError: false });
  const fatal = errors.filter((error) => error.type !== 'warning');
  if (fatal.length) throw new ConfigError(`sync config: ${fatal[0].message}`);
  return rules;
}

export function loadConfig(path, environment) {
  const config = checkConfig(parseConfig(readFileSync(path, 'utf8'), environment));
  return { config, rules: loadSyncRules(config, path) };
}
