#!/usr/bin/env python3
"""Runs an ONNX model with onnxruntime in Python on a raw little-endian float32 input and
writes its first output the same way: the reference the Rust engine is compared with.

    python3 tools/run_onnx_reference.py MODEL.onnx INPUT.f32 OUTPUT.f32
"""
import sys

import numpy as np
import onnxruntime as ort


def main() -> None:
    model, input_path, output_path = sys.argv[1:4]
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    spec = session.get_inputs()[0]
    data = np.fromfile(input_path, dtype="<f4").reshape(spec.shape)
    (output, *_) = session.run(None, {spec.name: data})
    output.astype("<f4").tofile(output_path)
    print(ort.__version__, output.shape)


if __name__ == "__main__":
    main()
