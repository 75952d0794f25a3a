// ONNX Runtime reference outputs for pqnn's importer; run through scripts/ort-reference.sh
// (which sets PQNN_ORT_DIR and documents the arguments).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(process.env.PQNN_ORT_DIR);

function usage(msg) {
  console.error('ort-reference: ' + msg + '\nsee scripts/ort-reference.sh for the usage');
  process.exit(2);
}

function readF32(file, count) {
  const buf = fs.readFileSync(file);
  if (buf.length !== count * 4) {
    usage(`${file} has ${buf.length} bytes, the input needs ${count * 4}`);
  }
  const out = new Float32Array(count);
  for (let k = 0; k < count; k++) out[k] = buf.readFloatLE(4 * k);
  return out;
}

function readI64(file, count) {
  const buf = fs.readFileSync(file);
  if (buf.length !== count * 8) {
    usage(`${file} has ${buf.length} bytes, the int64 input needs ${count * 8}`);
  }
  const out = new BigInt64Array(count);
  for (let k = 0; k < count; k++) out[k] = buf.readBigInt64LE(8 * k);
  return out;
}

function readI32(file, count) {
  const buf = fs.readFileSync(file);
  if (buf.length !== count * 4) {
    usage(`${file} has ${buf.length} bytes, the int32 input needs ${count * 4}`);
  }
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = buf.readInt32LE(4 * k);
  return out;
}

function inputType(session, name) {
  const meta = session.inputMetadata && session.inputMetadata.find
      ? session.inputMetadata.find((m) => m.name === name) : null;
  return meta && meta.type ? meta.type : 'float32';
}

// An input tensor from its file: raw little-endian float32, or int64 / int32 for an int64 /
// int32 input (token ids).
function readInput(session, name, file, dims) {
  const count = dims.reduce((a, b) => a * b, 1);
  const type = inputType(session, name);
  if (type === 'int64') return new ort.Tensor('int64', readI64(file, count), dims);
  if (type === 'int32') return new ort.Tensor('int32', readI32(file, count), dims);
  if (type !== 'float32') {
    usage(`input ${name} is ${type}: only float32, int64 and int32 inputs are read`);
  }
  return new ort.Tensor('float32', readF32(file, count), dims);
}

// float32 outputs as they are; int64 / int32 (ArgMax indices) and bool (0 / 1) ones as
// float32 values, which pqnn-run writes too (exact for indices below 2^24).
function writeF32(file, data) {
  const buf = Buffer.alloc(data.length * 4);
  for (let k = 0; k < data.length; k++) buf.writeFloatLE(Number(data[k]), 4 * k);
  fs.writeFileSync(file, buf);
}

const OUTPUT_TYPES = ['float32', 'int64', 'int32', 'bool'];

function staticDims(session, name, shapes) {
  if (shapes[name]) return shapes[name];
  const meta = session.inputMetadata && session.inputMetadata.find
      ? session.inputMetadata.find((m) => m.name === name) : null;
  if (meta && meta.shape && meta.shape.every((d) => typeof d === 'number' && d > 0)) {
    return meta.shape;
  }
  usage(`input ${name}: give its shape with --shape ${name}=AxBxC`);
}

async function runModel(model, inputs, shapes, prefix, threads, iterations) {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all'});
  const feeds = {};
  for (const name of session.inputNames) {
    const dims = staticDims(session, name, shapes);
    if (!inputs[name]) usage(`no --input for ${name}`);
    feeds[name] = readInput(session, name, inputs[name], dims);
  }
  let results = await session.run(feeds);
  session.outputNames.forEach((name, k) => {
    const t = results[name];
    if (!OUTPUT_TYPES.includes(t.type)) usage(`output ${name} is ${t.type}: not ${OUTPUT_TYPES}`);
    writeF32(`${prefix}${k}.bin`, t.data);
    console.log(JSON.stringify({output: name, dims: t.dims, file: `${prefix}${k}.bin`}));
  });
  if (iterations > 0) {
    const times = [];
    const cpuTimes = [];
    for (let it = 0; it < iterations; it++) {
      const s = process.hrtime.bigint();
      const c = process.cpuUsage();
      results = await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      const dc = process.cpuUsage(c);
      cpuTimes.push((dc.user + dc.system) / 1e3);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    // cpu_median_ms: the process's CPU time per run (all of ORT's threads), which a loaded
    // machine inflates less than wall time at 1 thread.
    console.log(JSON.stringify({median_ms: times[Math.floor((times.length - 1) / 2)],
                                min_ms: times[0],
                                cpu_median_ms: cpuTimes[Math.floor((cpuTimes.length - 1) / 2)],
                                threads, iterations}));
  }
  await session.release();
}

async function runManifest(manifest) {
  const dir = path.dirname(manifest);
  const lines = fs.readFileSync(manifest, 'utf8').split('\n').filter((l) => l.trim());
  for (const line of lines) {
    const [name, numInputs, , expect] = line.trim().split(/\s+/);
    const session = await ort.InferenceSession.create(path.join(dir, name + '.onnx'),
        {intraOpNumThreads: 1, interOpNumThreads: 1});
    const feeds = {};
    session.inputNames.forEach((input, k) => {
      if (k >= Number(numInputs)) usage(`${name}: more inputs than the manifest says`);
      const dims = staticDims(session, input, {});
      feeds[input] = readInput(session, input, path.join(dir, `${name}.in${k}.bin`), dims);
    });
    const results = await session.run(feeds);
    session.outputNames.forEach((output, k) => {
      writeF32(path.join(dir, `${name}.out${k}.ort.bin`), results[output].data);
    });
    await session.release();
    console.log(`${name}: ${session.outputNames.length} output(s) (${expect})`);
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--manifest') {
    if (args.length !== 2) usage('--manifest takes one file');
    return runManifest(args[1]);
  }
  let model = null, prefix = null, threads = 1, iterations = 0;
  const inputs = {}, shapes = {};
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const next = () => { if (k + 1 >= args.length) usage(`missing value after ${a}`); return args[++k]; };
    if (a === '--input' || a === '--shape') {
      const v = next();
      const eq = v.indexOf('=');
      if (eq < 0) usage(`${a} needs name=VALUE`);
      if (a === '--input') inputs[v.slice(0, eq)] = v.slice(eq + 1);
      else shapes[v.slice(0, eq)] = v.slice(eq + 1).split('x').map(Number);
    } else if (a === '--output-prefix') prefix = next();
    else if (a === '--threads') threads = Number(next());
    else if (a === '--iterations') iterations = Number(next());
    else if (!a.startsWith('--') && model === null) model = a;
    else usage(`unknown argument ${a}`);
  }
  if (!model || !prefix) usage('MODEL and --output-prefix are required');
  return runModel(model, inputs, shapes, prefix, threads, iterations);
}

main().catch((e) => { console.error('ort-reference: ' + (e && e.message ? e.message : e)); process.exit(1); });
