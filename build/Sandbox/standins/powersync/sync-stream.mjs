// The lines of POST /sync/stream (the PowerSync protocol, newline-delimited JSON): a checkpoint listing the user's
// buckets, their data as PUT operations, checkpoint_complete. Bucket membership and row data come from the sync
// rules themselves (@powersync/service-sync-rules), evaluated on the rows of the source tables.
import { createHash } from 'node:crypto';
import { DEFAULT_HYDRATION_STATE, RequestParameters } from '@powersync/service-sync-rules';

/** The rules ready to evaluate; parameter queries that read tables need the service's storage, which we lack. */
export function hydrate(rules) {
  if (rules.bucketParameterLookupSources.length > 0)
    throw new Error('sync config: parameter queries that read tables are not implemented by the PowerSync stand-in');
  return rules.hydrate({ hydrationState: DEFAULT_HYDRATION_STATE, sqlite: null });
}

/** The buckets a token's user gets, by name. */
export function bucketsOf(hydrated, payload, clientParameters = {}) {
  const parameters = new RequestParameters({ userIdJson: payload.sub, parsedPayload: payload }, clientParameters);
  const { querier, errors } = hydrated.getBucketParameterQuerier({ globalParameters: parameters, hasDefaultStreams: true, streams: {} });
  if (errors.length) throw new Error(`sync rules: ${errors[0].message}`);
  return querier.staticBuckets;
}

// a 32-bit checksum of an operation, as a signed integer like the service's
const checksum = (text) => createHash('sha256').update(text).digest().readInt32BE(0);

/**
 * The protocol lines for one user: rows is [{ table: {schema, name}, records }]. Operation ids count from 1 in the
 * order of the buckets, so a client sees last_op_id move when anything it gets changes.
 */
export function syncLines(hydrated, buckets, rows) {
  const wanted = new Map(buckets.map((bucket) => [bucket.bucket, { ...bucket, data: [] }]));
  for (const { table, records } of rows)
    for (const record of records) {
      const { results, errors } = hydrated.evaluateRowWithErrors({ sourceTable: { connectionTag: 'default', schema: table.schema, name: table.name }, record });
      if (errors.length) throw new Error(`sync rules on ${table.name}: ${errors[0].error}`);
      for (const result of results) wanted.get(result.bucket)?.data.push(result);
    }
  let opId = 0;
  const data = [];
  const descriptions = [];
  for (const bucket of wanted.values()) {
    const operations = bucket.data.map((result) => {
      const json = JSON.stringify(result.data, (_, value) => (typeof value === 'bigint' ? Number(value) : value));
      return { op_id: String(++opId), op: 'PUT', object_type: result.table, object_id: result.id, data: json, checksum: checksum(`${result.table}/${result.id}/${json}`), subkey: `${result.table}/${result.id}` };
    });
    const total = operations.reduce((sum, op) => (sum + op.checksum) | 0, 0);
    descriptions.push({ bucket: bucket.bucket, checksum: total, count: operations.length, priority: bucket.priority ?? 3 });
    if (operations.length) data.push({ data: { bucket: bucket.bucket, after: '0', has_more: false, next_after: operations.at(-1).op_id, data: operations } });
  }
  const last = String(opId);
  return [{ checkpoint: { last_op_id: last, write_checkpoint: undefined, buckets: descriptions } }, ...data, { checkpoint_complete: { last_op_id: last } }];
}
