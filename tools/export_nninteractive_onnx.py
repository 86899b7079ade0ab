#!/usr/bin/env python3
"""Exports the nnInteractive network to ONNX in interseg's model contract.

    python3 tools/export_nninteractive_onnx.py OUT.onnx [--checkpoint DIR] [--patch 192]

With --checkpoint (an nnInteractive model folder: plans.json, dataset.json, fold_*/
checkpoint_final.pth, as published with nnInteractive), the network is built from its plans
and loaded with its weights by nnInteractive's own loader. Without one, the same architecture
as nnInteractive v1.0 (a residual-encoder nnU-Net, 6 stages, 32-320 features) is built with
random weights, which is how it is tested where no weights can be downloaded.

Needs the `nninteractive` package (it brings torch, nnunetv2 and dynamic_network_architectures)
and `onnx`; these are large and are not part of the test venv:

    python3 -m venv /tmp/nni && /tmp/nni/bin/pip install nninteractive onnx

The contract (see the README): input `input` float32 [1, 8, P, P, P] with channels image,
previous result, include box, exclude box, include point, exclude point, include scribble,
exclude scribble; output `logits` [1, 2, P, P, P].
"""
import argparse
import time

import torch
from torch import nn

INPUT_CHANNELS = 8
OUTPUT_CHANNELS = 2


def network_from_checkpoint(folder: str) -> nn.Module:
    from nnInteractive.inference.inference_session import nnInteractiveInferenceSession

    session = nnInteractiveInferenceSession(device=torch.device("cpu"), use_torch_compile=False, verbose=False)
    session.initialize_from_trained_model_folder(folder)
    return session.network


def random_network() -> nn.Module:
    from dynamic_network_architectures.architectures.unet import ResidualEncoderUNet

    torch.manual_seed(0)
    features = [32, 64, 128, 256, 320, 320]
    return ResidualEncoderUNet(
        input_channels=INPUT_CHANNELS,
        n_stages=len(features),
        features_per_stage=features,
        conv_op=nn.Conv3d,
        kernel_sizes=[[3, 3, 3]] * len(features),
        strides=[[1, 1, 1]] + [[2, 2, 2]] * (len(features) - 1),
        n_blocks_per_stage=[1, 3, 4, 6, 6, 6],
        num_classes=OUTPUT_CHANNELS,
        n_conv_per_stage_decoder=[1] * (len(features) - 1),
        conv_bias=True,
        norm_op=nn.InstanceNorm3d,
        norm_op_kwargs={"eps": 1e-5, "affine": True},
        nonlin=nn.LeakyReLU,
        nonlin_kwargs={"inplace": True},
        deep_supervision=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--checkpoint")
    parser.add_argument("--patch", type=int, default=192)
    args = parser.parse_args()
    network = network_from_checkpoint(args.checkpoint) if args.checkpoint else random_network()
    network.eval()
    example = torch.zeros((1, INPUT_CHANNELS, args.patch, args.patch, args.patch))
    started = time.time()
    with torch.no_grad():
        torch.onnx.export(
            network,
            (example,),
            args.out,
            input_names=["input"],
            output_names=["logits"],
            opset_version=17,
            dynamo=False,
        )
    params = sum(p.numel() for p in network.parameters())
    print(f"exported {params / 1e6:.1f} M parameters, patch {args.patch}^3, to {args.out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
