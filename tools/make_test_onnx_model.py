#!/usr/bin/env python3
"""Writes a small ONNX model that follows interseg's network contract, with behaviour one can
predict, for testing the ONNX engine without any trained weights:

    python3 tools/make_test_onnx_model.py OUT.onnx [PATCH]

Input `input` float32 [1, 8, P, P, P] (channels: image, previous result, include box, exclude
box, include point, exclude point, include scribble, exclude scribble); output `logits`
[1, 1, P, P, P]. A 3x3x3 convolution whose only non-zero taps are the centre ones computes,
voxel by voxel:

    logit = image + 0.5 previous + include_box - exclude_box + 3 include_point
            - 6 exclude_point - 0.5

so a voxel is the object where it is brighter than the patch's mean by about half a standard
deviation, or under an include point, and never under an exclude point.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Centre-tap weight per input channel.
WEIGHTS = [1.0, 0.5, 1.0, -1.0, 3.0, -6.0, 0.0, 0.0]
BIAS = -0.5


def main() -> None:
    out = sys.argv[1]
    patch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    weight = np.zeros((1, 8, 3, 3, 3), dtype=np.float32)
    weight[0, :, 1, 1, 1] = WEIGHTS
    bias = np.array([BIAS], dtype=np.float32)
    node = helper.make_node("Conv", ["input", "weight", "bias"], ["logits"], pads=[1, 1, 1, 1, 1, 1], kernel_shape=[3, 3, 3])
    graph = helper.make_graph(
        [node],
        "interseg_test_model",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 8, patch, patch, patch])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1, patch, patch, patch])],
        initializer=[numpy_helper.from_array(weight, "weight"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="interseg")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
