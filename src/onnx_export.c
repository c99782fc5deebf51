/* onnx_export.c: placeholder */
