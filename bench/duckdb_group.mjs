// The peer a user would pick for "group my JSON logs by trace": DuckDB, through its Node API.
// Reads every *.log file of DIR as newline-delimited JSON (lines that are not JSON objects, such
// as plain-text stack traces, are skipped), takes each line's trace id and time from whichever
// key its logging convention uses, and materializes one row per trace holding the trace's
// events in time order. Prints the row count, then a JSON line with the figures.
//
//   npm install --prefix /tmp/lw-shapes/.duckdb @duckdb/node-api   # once, outside the repo
//   node bench/duckdb_group.mjs --modules /tmp/lw-shapes/.duckdb /tmp/lw-shapes/long-traces-200M
//
// The key names are those of tools/loggen's conventions (default shop and --shape): zap
// (trace_id, ts as epoch seconds), pino (traceId, time as epoch milliseconds),
// python-json-logger (trace_id, asctime "2026-11-23 10:00:00,123"), logstash/ECS (the dotted
// key "trace.id", @timestamp), OpenTelemetry-style (the nested object trace.id, timestamp),
// structlog (trace_id, timestamp) and a JSON logger with "trace-id" and "time" with an offset.
// Run by bench/run_whole.sh, which times it with /usr/bin/time (wall and peak RSS).
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

function usage(message) {
  console.error(`duckdb_group: ${message}\n` +
                'usage: node bench/duckdb_group.mjs [--modules DIR_WITH_NODE_MODULES] [--threads N] DIR');
  process.exit(2);
}

let modules = process.cwd();
let threads = 0;  // 0: DuckDB's default, every core
let dir = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--modules' && i + 1 < args.length) {
    modules = args[++i];
  } else if (args[i] === '--threads' && i + 1 < args.length) {
    threads = Number(args[++i]);
    if (!Number.isInteger(threads) || threads < 0) usage(`--threads must be a whole number (got "${args[i]}")`);
  } else if (args[i].startsWith('--')) {
    usage(`unknown flag ${args[i]}`);
  } else if (dir === null) {
    dir = args[i];
  } else {
    usage(`unexpected argument "${args[i]}"`);
  }
}
if (dir === null) usage('give the directory of *.log files');

// The package lives outside the repository (bench/run_whole.sh installs it into DIR/.duckdb).
let DuckDBInstance;
try {
  ({ DuckDBInstance } = createRequire(join(resolve(modules), 'package.json'))('@duckdb/node-api'));
} catch (e) {
  console.error(`duckdb_group: cannot load @duckdb/node-api from ${modules}/node_modules ` +
                `(install it with: npm install --prefix ${modules} @duckdb/node-api): ${e.message}`);
  process.exit(1);
}

const files = readdirSync(dir)
  .filter((name) => name.endsWith('.log') && !name.startsWith('.'))
  .sort()
  .map((name) => join(resolve(dir), name));
if (files.length === 0) usage(`no *.log files in ${dir}`);
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

// Every key read as text, so that one convention's number and another's string under the same
// key ("time") both load; the conversions below pick the right reading per line.
const columns = {
  trace_id: 'VARCHAR', traceId: 'VARCHAR', 'trace.id': 'VARCHAR', 'trace-id': 'VARCHAR',
  trace: 'STRUCT(id VARCHAR)',
  ts: 'VARCHAR', time: 'VARCHAR', asctime: 'VARCHAR', '@timestamp': 'VARCHAR', timestamp: 'VARCHAR',
  msg: 'VARCHAR', message: 'VARCHAR', body: 'VARCHAR', event: 'VARCHAR',
};
const columnsSql = '{' + Object.entries(columns)
  .map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ') + '}';

const query = `
CREATE TABLE t AS
SELECT trace_id, list({'ts_us': ts_us, 'file': filename, 'msg': msg} ORDER BY ts_us) AS events
FROM (
  SELECT COALESCE(trace_id, traceId, "trace.id", "trace-id", "trace".id) AS trace_id,
         COALESCE(CAST(TRY_CAST(ts AS DOUBLE) * 1e6 AS BIGINT),
                  TRY_CAST(time AS BIGINT) * 1000,
                  epoch_us(TRY_CAST(time AS TIMESTAMPTZ)),
                  epoch_us(try_strptime(asctime, '%Y-%m-%d %H:%M:%S,%g')),
                  epoch_us(TRY_CAST("@timestamp" AS TIMESTAMPTZ)),
                  epoch_us(TRY_CAST(timestamp AS TIMESTAMPTZ))) AS ts_us,
         COALESCE(msg, message, body, event) AS msg,
         filename
  FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited',
                 ignore_errors = true, filename = true, columns = ${columnsSql})
)
WHERE trace_id IS NOT NULL
GROUP BY trace_id`;

const started = process.hrtime.bigint();
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
if (threads > 0) await connection.run(`SET threads = ${threads}`);
await connection.run('SET TimeZone = \'UTC\'');
await connection.run(query);
const counts = await connection.runAndReadAll(
  'SELECT count(*) AS rows, sum(len(events)) AS events FROM t');
const { rows, events } = counts.getRowObjects()[0];
const usedThreads = (await connection.runAndReadAll("SELECT current_setting('threads') AS n"))
  .getRowObjects()[0].n;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`duckdb: ${rows} traces (rows), ${events} events, ${files.length} files, ` +
            `${seconds.toFixed(3)} s, ${usedThreads} threads`);
console.log(JSON.stringify({
  rows: Number(rows), events: Number(events), files: files.length, seconds,
  threads: Number(usedThreads),
}));
