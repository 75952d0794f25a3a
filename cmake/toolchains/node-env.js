// --pre-js for pqnn's WASM test binaries under node: emscripten gives the module a
// fixed environment (ENV) instead of the process's, so copy node's process.env in
// before main runs. getenv("PQNN_ISA"), PQNN_TEST_SHAPES, PQNN_TEST_SEED then work as
// in native builds (ctest sets them per test).
Module.preRun = Module.preRun || [];
Module.preRun.push(function () {
  Object.assign(ENV, process.env);
});
