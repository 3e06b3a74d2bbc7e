// The test oracle for TensorFlow's op semantics: embeds titles with TensorFlow.js's pure-JS ops (@tensorflow/tfjs-core
// with @tensorflow/tfjs-backend-cpu), following the recipe the test built its graph from, and prints the vectors as
// JSON. Usage: node tfjs-oracle.cjs <node_modules folder> < spec.json
//
// spec: { titles, pattern (RE2, null or "\\pP"), lower (StringLower, encoding ""), splitOp ("StringSplit" | "StringSplitV2"),
//         skipEmpty, tokens (tokens.txt, row i = line i), numBuckets, fillToken (null: no fill), parts (each partition's
//         rows as stored, flat), dim, strategy ("mod" | "div", for several parts), combiner ("sqrtn" | "mean" | "sum") }
//
// Where tfjs has no op, the step is TensorFlow's documented semantics in plain JS, said at each place:
//  - StaticRegexReplace: tfjs builds `new RegExp(pattern, 'g')` without the 'u' flag, where "\pP" means the letters "pP";
//    the test hands it the same set as a class of every BMP code unit that JS's /\p{P}/u matches.
//  - StringLower with encoding "": absl::AsciiStrToLower, ASCII letters only (no tfjs op).
//  - StringSplitV2 with a one-character separator is StringSplit with skipEmpty false, except that an empty string is one
//    empty token (Python's str.split) where StringSplit gives none.
//  - FloorMod is tfjs's tf.mod (floor semantics, as TensorFlow's FloorMod).
//  - The lookup table (HashTable from tokens.txt): a JS Map; the OOV rule is tfjs's stringToHashBucketFast.
//  - Fill of empty rows: tf.sparse.sparseFillEmptyRows with the id of the fill token (TF1's graph fills ids with
//    lookup(""), TF2's fills the strings with "" before the lookup: the same ids).
'use strict';
const path = require('path');
const modules = process.argv[2];
const tf = require(path.join(modules, '@tensorflow/tfjs-core'));
require(path.join(modules, '@tensorflow/tfjs-backend-cpu'));

function bmpPunctuationClass() {
  let ranges = [], start = -1;
  for (let c = 0; c <= 0x10000; c++) {
    const isP = c < 0x10000 && !(c >= 0xd800 && c <= 0xdfff) && /\p{P}/u.test(String.fromCharCode(c));
    if (isP && start < 0) start = c;
    if (!isP && start >= 0) { ranges.push([start, c - 1]); start = -1; }
  }
  const hex = c => '\\u' + c.toString(16).padStart(4, '0');
  return '[' + ranges.map(([a, b]) => a === b ? hex(a) : hex(a) + '-' + hex(b)).join('') + ']';
}

async function main() {
  await tf.setBackend('cpu');
  const spec = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  let x = tf.tensor1d(spec.titles, 'string');
  if (spec.pattern !== null) {
    if (spec.pattern !== '\\pP' && spec.pattern !== '\\p{P}') throw new Error('the oracle knows the pattern \\pP only, not ' + spec.pattern);
    x = tf.string.staticRegexReplace(x, bmpPunctuationClass(), '', true);
  }
  let texts = await x.array();
  if (spec.lower) texts = texts.map(t => t.replace(/[A-Z]/g, c => c.toLowerCase()));
  const split = tf.string.stringSplit(tf.tensor1d(texts, 'string'), ' ', spec.splitOp === 'StringSplit' ? spec.skipEmpty : false);
  let indices = await split.indices.array(), values = await split.values.array();
  if (spec.splitOp === 'StringSplitV2') {
    // An empty title is one empty token under StringSplitV2.
    const rows = new Set(indices.map(i => i[0]));
    texts.forEach((t, r) => { if (t === '' && !rows.has(r)) { indices.push([r, 0]); values.push(''); } });
    const order = indices.map((_, i) => i).sort((a, b) => indices[a][0] - indices[b][0] || indices[a][1] - indices[b][1]);
    indices = order.map(i => indices[i]); values = order.map(i => values[i]);
  }
  const vocabulary = new Map(spec.tokens.map((t, i) => [t, i]));
  const buckets = values.length ? await tf.string.stringToHashBucketFast(tf.tensor1d(values, 'string'), spec.numBuckets).array() : [];
  const idOf = (token, bucket) => vocabulary.has(token) ? vocabulary.get(token) : spec.tokens.length + bucket;
  let ids = values.map((v, i) => idOf(v, buckets[i]));
  if (spec.fillToken !== null) {
    const fillBucket = (await tf.string.stringToHashBucketFast(tf.tensor1d([spec.fillToken], 'string'), spec.numBuckets).array())[0];
    const filled = tf.sparse.sparseFillEmptyRows(
      tf.tensor2d(indices.length ? indices : [], [indices.length, 2], 'int32'), tf.tensor1d(ids, 'int32'),
      tf.tensor1d([spec.titles.length, Math.max(1, ...indices.map(i => i[1] + 1))], 'int32'), idOf(spec.fillToken, fillBucket));
    indices = await filled.outputIndices.array();
    ids = await filled.outputValues.array();
  }
  // tf.nn.embedding_lookup over the partitions as stored: partition and row within it by the strategy, as TF computes them.
  const parts = spec.parts.map(p => tf.tensor2d(p, [p.length / spec.dim, spec.dim], 'float32'));
  const P = parts.length, total = parts.reduce((n, p) => n + p.shape[0], 0);
  const idTensor = tf.tensor1d(ids, 'int32');
  let assignment, local;
  if (P === 1) { assignment = tf.zerosLike(idTensor); local = idTensor; }
  else if (spec.strategy === 'mod') { assignment = tf.mod(idTensor, P); local = tf.floorDiv(idTensor, P); }
  else {
    const per = Math.floor(total / P), extras = total % P;
    assignment = tf.maximum(tf.floorDiv(idTensor, per + 1), tf.floorDiv(tf.sub(idTensor, extras), per));
    const first = tf.cast(tf.less(assignment, extras), 'int32');
    local = tf.add(tf.mul(first, tf.mod(idTensor, per + 1)), tf.mul(tf.sub(1, first), tf.mod(tf.sub(idTensor, extras), per)));
  }
  const a = await assignment.array(), l = await local.array();
  const rows = tf.concat(a.map((p, i) => tf.gather(parts[p], [l[i]])), 0);
  const segments = tf.tensor1d(indices.map(i => i[0]), 'int32');
  const positions = tf.range(0, ids.length, 1, 'int32');
  let combined = spec.combiner === 'mean' ? tf.sparse.sparseSegmentMean(rows, positions, segments) : tf.sparse.sparseSegmentSum(rows, positions, segments);
  if (spec.combiner === 'sqrtn') {
    const counts = tf.sparse.sparseSegmentSum(tf.onesLike(tf.tensor1d(ids, 'float32')), positions, segments);
    combined = tf.div(combined, tf.expandDims(tf.sqrt(counts), 1));
  }
  const out = await combined.array();
  while (out.length < spec.titles.length) out.push(new Array(spec.dim).fill(0)); // trailing rows without tokens
  process.stdout.write(JSON.stringify({ vectors: out, tfjs: tf.version_core }));
}
main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
