// Minify JavaScript sources for benchmarks/evasion.py: a JSON list of sources on stdin, a
// JSON list of results on stdout (null where terser cannot parse a source). Two styles:
// "mangle" (whitespace and comments out, local names shortened) and "full" (terser's
// defaults: compress and mangle, what a production bundle ships).
import { minify } from "terser";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { sources, style } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const options = style === "full" ? { compress: true, mangle: true } : { compress: false, mangle: true };
const out = [];
for (const source of sources) {
  try {
    out.push((await minify(source, options)).code ?? null);
  } catch {
    out.push(null);
  }
}
process.stdout.write(JSON.stringify(out));
