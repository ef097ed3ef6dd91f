// Dolos (@dodona/dolos-lib) as a peer: reads {"references": [...], "queries": [...]} (each
// {"name", "content"}; the extension picks Dolos' tree-sitter language) from the file named
// by argv[2], and prints, for every query, the best Dolos similarity, total overlap and
// longest fragment against any reference, with Dolos' own defaults (k-gram 23, window 17).
import { readFileSync } from "node:fs";
import { File, FingerprintIndex, LanguagePicker, Options } from "@dodona/dolos-lib";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const options = new Options();
const picker = new LanguagePicker();
const byExtension = new Map();

async function tokenizerFor(name) {
  const extension = name.slice(name.lastIndexOf("."));
  if (!byExtension.has(extension)) {
    let language;
    try {
      language = picker.detectLanguage([new File(name, "")]);
    } catch {
      language = await picker.findLanguage("char"); // no grammar for it (Kotlin, Ruby): Dolos' own fallback
    }
    byExtension.set(extension, await language.createTokenizer());
  }
  return byExtension.get(extension);
}

async function tokenize(item) {
  const tokenizer = await tokenizerFor(item.name);
  return tokenizer.tokenizeFile(new File(item.name, item.content));
}

const index = new FingerprintIndex(options.kgramLength, options.kgramsInWindow, false, Number.MAX_SAFE_INTEGER);
const references = [];
for (const item of input.references) references.push(await tokenize(item));
index.addFiles(references);
const results = [];
for (const item of input.queries) {
  const query = await tokenize(item);
  index.addFiles([query]);
  let best = { similarity: 0, overlap: 0, longest: 0, reference: null };
  for (const reference of references) {
    const pair = index.getPair(query, reference);
    if (pair.similarity > best.similarity) best.reference = reference.path;
    best.similarity = Math.max(best.similarity, pair.similarity);
    best.overlap = Math.max(best.overlap, pair.overlap);
    best.longest = Math.max(best.longest, pair.longest);
  }
  results.push(best);
}
process.stdout.write(JSON.stringify(results));
