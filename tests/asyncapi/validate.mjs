// Parse AsyncAPI documents with the official parser; print what it found, as JSON.
//
// Usage: node validate.mjs FILE...
// Prints {"FILE": {"diagnostics": [{"code", "message", "severity", "path"}],
// "data": <the file read by js-yaml, which reads JSON too>}} on one line.
// Severity is Spectral's: 0 error, 1 warning, 2 information, 3 hint.
import { readFile } from "node:fs/promises";

import { Parser } from "@asyncapi/parser";
import yaml from "js-yaml";

const parser = new Parser();
const results = {};
for (const file of process.argv.slice(2)) {
  const text = await readFile(file, "utf8");
  const { diagnostics } = await parser.parse(text, { source: file });
  results[file] = {
    diagnostics: diagnostics.map(({ code, message, severity, path }) => ({
      code: String(code),
      message,
      severity,
      path: path.map(String),
    })),
    data: yaml.load(text),
  };
}
process.stdout.write(JSON.stringify(results) + "\n");
