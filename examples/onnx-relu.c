/* The ONNX importer (pqnn-onnx.h) from an installed pqnn: loads a model from a buffer, lists
 * its input, builds a runtime and runs it. The model is a 74-byte ONNX file (opset 13, one
 * Relu node, x [1, 4] -> y [1, 4]) serialized by python3-onnx:
 *   helper.make_model(helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "relu",
 *       [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
 *       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])]),
 *       opset_imports=[helper.make_opsetid("", 13)], ir_version=8, producer_name="")
 * Exit status 0 when y = max(x, 0). */
#include <stdint.h>
#include <stdio.h>

#include <pqnn-onnx.h>

static const uint8_t kRelu[] = {
  0x08, 0x08, 0x12, 0x00, 0x3a, 0x3e, 0x0a, 0x0c, 0x0a, 0x01, 0x78, 0x12, 0x01, 0x79, 0x22,
  0x04, 0x52, 0x65, 0x6c, 0x75, 0x12, 0x04, 0x72, 0x65, 0x6c, 0x75, 0x5a, 0x13, 0x0a, 0x01,
  0x78, 0x12, 0x0e, 0x0a, 0x0c, 0x08, 0x01, 0x12, 0x08, 0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02,
  0x08, 0x04, 0x62, 0x13, 0x0a, 0x01, 0x79, 0x12, 0x0e, 0x0a, 0x0c, 0x08, 0x01, 0x12, 0x08,
  0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02, 0x08, 0x04, 0x42, 0x04, 0x0a, 0x00, 0x10, 0x0d,
};

int main(void) {
  if (pqnn_initialize() != pqnn_status_success) {
    fprintf(stderr, "pqnn_initialize failed\n");
    return 1;
  }
  pqnn_onnx_model_t model = NULL;
  enum pqnn_status status = pqnn_onnx_load_buffer(kRelu, sizeof(kRelu), 0, &model);
  if (status != pqnn_status_success) {
    fprintf(stderr, "load: %s\n", pqnn_status_string(status));
    return 1;
  }
  struct pqnn_onnx_tensor_info input;
  if (pqnn_onnx_get_input(model, 0, &input) != pqnn_status_success) return 1;
  printf("input %s: %zu dims [%lld, %lld]\n", input.name, input.num_dims,
      (long long) input.dims[0], (long long) input.dims[1]);
  pqnn_onnx_runtime_t runtime = NULL;
  status = pqnn_onnx_create_runtime(model, NULL, 0, &runtime);
  pqnn_onnx_delete_model(model);
  if (status != pqnn_status_success) {
    fprintf(stderr, "create_runtime: %s\n", pqnn_status_string(status));
    return 1;
  }
  const float x[4] = {-1.0f, 2.0f, -3.0f, 4.0f};
  float y[4] = {0};
  const float* inputs[1] = {x};
  float* outputs[1] = {y};
  status = pqnn_onnx_run(runtime, 1, inputs, 1, outputs);
  pqnn_onnx_delete_runtime(runtime);
  if (status != pqnn_status_success) {
    fprintf(stderr, "run: %s\n", pqnn_status_string(status));
    return 1;
  }
  printf("relu: %g %g %g %g\n", y[0], y[1], y[2], y[3]);
  return y[0] == 0.0f && y[1] == 2.0f && y[2] == 0.0f && y[3] == 4.0f ? 0 : 1;
}
